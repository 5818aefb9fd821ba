/**
 * Compile a {@code .dlm} model at run time and use it from Java.
 *
 * <pre>{@code
 * Program program = Dlm.compile(Path.of("examples/tumor.dlm"));     // or Dlm.compile("name.dlm", sourceText)
 * try (CompiledModel model = program.build(null, BuildOptions.defaults())) {   // JVM backend, seed 0
 *     History h = Trainer.fit(model, train, validation,
 *             FitOptions.defaults().withEpochs(40).withStandardize(true));
 *     float[] p = model.predict(features);                        // one input, one output: flat floats
 *     model.saveWeights(Path.of("tumor.safetensors"));            // PyTorch names, atomic write
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link dlm.api.Dlm} compiles source; errors in it are a {@link dlm.runtime.DlmException}
 *       whose message holds each diagnostic with file, line, column and a caret.</li>
 *   <li>{@link dlm.api.Program#build(String, BuildOptions)} makes a {@link dlm.runtime.CompiledModel}:
 *       {@code predict}, {@code trainStep}, {@code gradients}, {@code stateDict}/{@code loadStateDict},
 *       {@code saveWeights}/{@code loadWeights}; close it to release its memory and generated classes.</li>
 *   <li>{@link dlm.api.BuildOptions} chooses the backend ({@link dlm.api.Backend#JVM} or the reference
 *       interpreter {@link dlm.api.Backend#INTERP}), the seed, and for transfer learning which layers
 *       train and at what learning rate: {@code withTrainable("head")}, then
 *       {@code withTrainable().withLearningRate(1e-5)} to fine-tune everything.</li>
 *   <li>{@code dlm.runtime.train.Trainer} runs epochs with validation, metrics and the best checkpoint.</li>
 * </ul>
 *
 * A compiled model is confined to one thread; many may live in one JVM.
 * See {@code examples/embedding} for a complete application.
 */
package dlm.api;
