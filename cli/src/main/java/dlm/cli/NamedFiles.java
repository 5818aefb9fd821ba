package dlm.cli;

import dlm.runtime.DlmException;
import dlm.runtime.Tensor;
import dlm.runtime.io.Npy;
import dlm.runtime.io.Npz;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code NAME=FILE.npy} arguments, or a {@code FILE.npz} whose arrays are named after the tensors. */
final class NamedFiles {
    private NamedFiles() {}

    static Map<String, Tensor> read(List<String> args, String option) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        if (args == null) return m;
        for (String a : args) {
            if (a.indexOf('=') < 0 && a.endsWith(".npz")) {
                for (var e : Npz.read(Path.of(a)).entrySet()) {
                    if (m.containsKey(e.getKey())) throw new DlmException(option + " " + e.getKey() + " given twice");
                    m.put(e.getKey(), e.getValue());
                }
                continue;
            }
            int eq = a.indexOf('=');
            if (eq <= 0 || eq == a.length() - 1) throw new DlmException(option + " expects NAME=FILE.npy or FILE.npz, got '" + a + "'");
            String name = a.substring(0, eq);
            if (m.containsKey(name)) throw new DlmException(option + " " + name + " given twice");
            m.put(name, Npy.read(Path.of(a.substring(eq + 1))));
        }
        return m;
    }
}
