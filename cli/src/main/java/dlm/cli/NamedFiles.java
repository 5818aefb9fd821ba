package dlm.cli;

import dlm.runtime.DlmException;
import dlm.runtime.Tensor;
import dlm.runtime.io.Npy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code NAME=FILE.npy} arguments. */
final class NamedFiles {
    private NamedFiles() {}

    static Map<String, Tensor> read(List<String> args, String option) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        if (args == null) return m;
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0 || eq == a.length() - 1) throw new DlmException(option + " expects NAME=FILE.npy, got '" + a + "'");
            String name = a.substring(0, eq);
            if (m.containsKey(name)) throw new DlmException(option + " " + name + " given twice");
            m.put(name, Npy.read(Path.of(a.substring(eq + 1))));
        }
        return m;
    }
}
