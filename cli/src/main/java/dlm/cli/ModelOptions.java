package dlm.cli;

import dlm.api.Backend;
import dlm.api.Dlm;
import dlm.api.Program;
import dlm.runtime.CompiledModel;
import dlm.runtime.DlmException;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The options every command that builds a model shares. */
final class ModelOptions {
    @Parameters(index = "0", paramLabel = "FILE", description = "the .dlm file") Path file;
    @Option(names = "--model", paramLabel = "NAME", description = "the model to use when the file holds several") String model;
    @Option(names = "--backend", paramLabel = "interp|jvm", defaultValue = "jvm", description = "where the model runs (default: ${DEFAULT-VALUE})") String backend;
    @Option(names = "--seed", defaultValue = "0", description = "seed for weight initialization, shuffling and dropout (default: ${DEFAULT-VALUE})") long seed;

    @Option(names = "--skip-pass", paramLabel = "PASS", description = "leave this optimization pass out (repeatable), e.g. to bisect a miscompilation") java.util.List<String> skipPasses;

    @Option(names = "--dump-bytecode", paramLabel = "DIR", description = "write every class the JVM backend generates to DIR/<class>.txt, in ASM's textual form") Path dumpBytecode;

    /** The system property the JVM backend reads (codegen.jvm.ClassDefiner), for the whole command. */
    static final String DUMP_PROPERTY = "dlm.dumpBytecode";

    CompiledModel build() {
        return build(dlm.api.BuildOptions.defaults());
    }

    /** Builds with this command's backend and seed on top of the given options. */
    CompiledModel build(dlm.api.BuildOptions options) {
        Program p = Dlm.compile(file);
        if (dumpBytecode != null) {
            // created now, so that a bad DIR is reported before anything runs
            if (Files.exists(dumpBytecode) && !Files.isDirectory(dumpBytecode)) {
                throw new DlmException("--dump-bytecode: " + dumpBytecode + " is a file, not a directory");
            }
            try {
                Files.createDirectories(dumpBytecode);
            } catch (IOException e) {
                throw new DlmException("--dump-bytecode: cannot create the directory " + dumpBytecode + " (" + e.getMessage() + ")");
            }
            // classes are generated as the command needs them (one per batch size), so the
            // setting stays for the rest of the command
            System.setProperty(DUMP_PROPERTY, dumpBytecode.toString());
        }
        return p.build(model, options.withBackend(Backend.parse(backend)).withSeed(seed)
                .withSkipPasses(skipPasses == null ? java.util.List.of() : skipPasses));
    }
}
