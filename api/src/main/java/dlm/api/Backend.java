package dlm.api;

import java.util.Locale;

/** Where a compiled model runs. */
public enum Backend {
    /** The reference interpreter: scalar Java in double precision, the oracle. */
    INTERP,
    /** Generated JVM bytecode with Vector API kernels. */
    JVM;

    public static Backend parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new dlm.runtime.DlmException("unknown backend '" + s + "'; choose interp or jvm");
        }
    }
}
