package dlm.cli;

import dlm.runtime.Dataset;
import dlm.runtime.DlmException;
import dlm.runtime.ModelSignature;
import dlm.runtime.Tensor;
import dlm.runtime.TensorSpec;
import dlm.runtime.io.Csv;
import dlm.runtime.io.IdxDataset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Turns {@code --data} into datasets named after the model's input and target: a CSV table
 * (one target column, every other column a feature) or an IDX directory (MNIST layout, whose
 * t10k files are the test set).
 */
record TrainingData(Dataset train, Dataset test) {

    static TrainingData load(Path data, ModelSignature sig, String targetColumn, boolean header) {
        if (sig.inputs().size() != 1 || sig.targets().size() != 1)
            throw new DlmException(sig.name() + ": --data feeds models with one input and one target; this one has "
                    + sig.inputs().size() + " inputs and " + sig.targets().size() + " targets");
        TensorSpec in = sig.inputs().get(0), tg = sig.targets().get(0);
        if (Files.isDirectory(data)) {
            IdxDataset idx = IdxDataset.load(data);
            return new TrainingData(fit(idx.train(in.name(), tg.name()), in, data), fit(idx.test(in.name(), tg.name()), in, data));
        }
        Csv.Table t = header
                ? Csv.read(data, targetColumn != null ? targetColumn : tg.name(), tg.integer())
                : Csv.readLastColumnLabel(data, tg.integer());
        return new TrainingData(fit(t.toDataset(in.name(), tg.name()), in, data), null);
    }

    /** Reshapes flat feature rows to the input's sample shape when the sizes agree. */
    private static Dataset fit(Dataset d, TensorSpec in, Path source) {
        Tensor x = d.input(in.name());
        int[] want = in.sampleShape();
        if (x.sampleSize() != in.sampleSize())
            throw new DlmException(source + ": samples have " + x.sampleSize() + " values ("
                    + Arrays.toString(Arrays.copyOfRange(x.shape(), 1, x.rank())) + ") but input '" + in.name()
                    + "' expects " + in.sampleSize() + " " + Arrays.toString(want));
        int[] shape = new int[want.length + 1];
        shape[0] = x.dim(0);
        System.arraycopy(want, 0, shape, 1, want.length);
        return new Dataset(java.util.Map.of(in.name(), x.reshape(shape)), d.targets());
    }
}
