package dlm.runtime.io;

import dlm.runtime.DlmException;
import dlm.runtime.Tensor;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/** NumPy's {@code .npz}: a zip of {@code NAME.npy} members (as np.savez and np.savez_compressed write). */
public final class Npz {
    private Npz() {}

    /** Arrays by name (the member name without {@code .npy}), in archive order. */
    public static Map<String, Tensor> read(Path file) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file));
             ZipInputStream zip = new ZipInputStream(in)) {
            ZipEntry e;
            boolean any = false;
            while ((e = zip.getNextEntry()) != null) {
                any = true;
                if (e.isDirectory()) continue;
                String member = e.getName();
                String name = member.endsWith(".npy") ? member.substring(0, member.length() - 4) : member;
                out.put(name, Npy.parse(zip.readAllBytes(), file + "[" + member + "]"));
            }
            if (!any) throw new DlmException(file + ": not an .npz file (no zip entries found)");
        } catch (NoSuchFileException e) {
            throw new DlmException(file + ": no such file");
        } catch (ZipException | java.io.EOFException e) {
            throw new DlmException(file + ": corrupt or truncated .npz: " + e.getMessage());
        } catch (IOException e) {
            throw new DlmException(file + ": cannot read: " + e.getMessage(), e);
        }
        return out;
    }

    /** Writes each tensor as {@code NAME.npy} ({@code <f4}), compressed, atomically. */
    public static void write(Path file, Map<String, Tensor> arrays) {
        AtomicFiles.write(file, raw -> {
            ZipOutputStream zip = new ZipOutputStream(raw);
            for (Map.Entry<String, Tensor> e : arrays.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
                zip.write(Npy.toBytes(e.getValue()));
                zip.closeEntry();
            }
            zip.finish();
        });
    }
}
