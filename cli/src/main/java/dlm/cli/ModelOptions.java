package dlm.cli;

import dlm.api.Backend;
import dlm.api.Dlm;
import dlm.api.Program;
import dlm.runtime.CompiledModel;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;

/** The options every command that builds a model shares. */
final class ModelOptions {
    @Parameters(index = "0", paramLabel = "FILE", description = "the .dlm file") Path file;
    @Option(names = "--model", paramLabel = "NAME", description = "the model to use when the file holds several") String model;
    @Option(names = "--backend", paramLabel = "interp|jvm", defaultValue = "interp", description = "where the model runs (default: ${DEFAULT-VALUE})") String backend;
    @Option(names = "--seed", defaultValue = "0", description = "seed for weight initialization, shuffling and dropout (default: ${DEFAULT-VALUE})") long seed;

    CompiledModel build() {
        Program p = Dlm.compile(file);
        return p.build(model, Backend.parse(backend), seed);
    }
}
