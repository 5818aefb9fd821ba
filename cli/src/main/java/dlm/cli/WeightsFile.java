package dlm.cli;

import dlm.runtime.CompiledModel;
import dlm.runtime.DlmException;
import dlm.runtime.LoadReport;
import dlm.runtime.io.Safetensors;

import java.nio.file.Path;

/** Loads a safetensors file into a model; a mismatch names the file, since a command may read several. */
final class WeightsFile {
    private WeightsFile() {}

    /** {@code strictOption}: whether the command has --strict, to point at it on a mismatch. */
    static LoadReport load(CompiledModel m, Path file, boolean strict, boolean strictOption) {
        var tensors = Safetensors.load(file);
        try {
            return m.loadStateDict(tensors, strict);
        } catch (DlmException e) {
            throw new DlmException(file + ": " + e.getMessage() + (strictOption ? " (--strict false loads what fits)" : ""), e);
        }
    }
}
