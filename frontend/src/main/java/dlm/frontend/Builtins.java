package dlm.frontend;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The built-in ops of the language, by name. */
final class Builtins {
    private Builtins() {}

    interface Impl { Val apply(Args a); }

    /** {@code loss} ops may only appear in a train block's loss. */
    record Builtin(Sig sig, Impl impl, boolean loss) {}

    private static final Map<String, Builtin> ALL = new LinkedHashMap<>();

    static void layer(String name, String spec, Impl impl) { ALL.put(name, new Builtin(Sig.parse(name, spec, true), impl, false)); }
    static void function(String name, String spec, Impl impl) { ALL.put(name, new Builtin(Sig.parse(name, spec, false), impl, false)); }
    static void loss(String name, String spec, Impl impl) { ALL.put(name, new Builtin(Sig.parse(name, spec, false), impl, true)); }

    static {
        Layers.register();
        Functions.register();
        Losses.register();
    }

    static Builtin get(String name) { return ALL.get(name); }
    static Set<String> names() { return ALL.keySet(); }
}
