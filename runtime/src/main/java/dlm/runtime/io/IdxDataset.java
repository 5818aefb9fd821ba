package dlm.runtime.io;

import dlm.runtime.Dataset;
import dlm.runtime.DlmException;
import dlm.runtime.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * An MNIST-style directory: {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
 * {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte}, each optionally {@code .gz}.
 * Images become floats in [0, 1] shaped [n, 1, h, w] (channels first); labels are class ids [n].
 */
public record IdxDataset(Tensor trainImages, Tensor trainLabels, Tensor testImages, Tensor testLabels) {

    public static IdxDataset load(Path dir) {
        if (!Files.isDirectory(dir)) throw new DlmException(dir + ": not a directory");
        Tensor trX = images(find(dir, "train-images-idx3-ubyte"));
        Tensor trY = labels(find(dir, "train-labels-idx1-ubyte"), trX);
        Tensor teX = images(find(dir, "t10k-images-idx3-ubyte"));
        Tensor teY = labels(find(dir, "t10k-labels-idx1-ubyte"), teX);
        return new IdxDataset(trX, trY, teX, teY);
    }

    public Dataset train(String inputName, String targetName) {
        return Dataset.of(inputName, trainImages, targetName, trainLabels);
    }

    public Dataset test(String inputName, String targetName) {
        return Dataset.of(inputName, testImages, targetName, testLabels);
    }

    private static Path find(Path dir, String base) {
        // The official names, and the dotted variant some mirrors use.
        String dotted = base.replace("-idx", ".idx");
        for (String name : List.of(base, base + ".gz", dotted, dotted + ".gz")) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) return p;
        }
        throw new DlmException(dir + ": missing " + base + " (or " + base + ".gz)");
    }

    private static Tensor images(Path file) {
        Tensor raw = Idx.read(file);
        if (raw.rank() != 3) throw new DlmException(file + ": expected images [n, h, w], found shape "
                + java.util.Arrays.toString(raw.shape()));
        float[] d = raw.data();
        for (int i = 0; i < d.length; i++) d[i] /= 255f;
        return raw.reshape(raw.dim(0), 1, raw.dim(1), raw.dim(2));
    }

    private static Tensor labels(Path file, Tensor images) {
        Tensor raw = Idx.read(file);
        if (raw.rank() != 1) throw new DlmException(file + ": expected labels [n], found shape "
                + java.util.Arrays.toString(raw.shape()));
        if (raw.dim(0) != images.dim(0))
            throw new DlmException(file + ": " + raw.dim(0) + " labels for " + images.dim(0) + " images");
        return raw;
    }
}
