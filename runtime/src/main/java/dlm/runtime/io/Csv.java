package dlm.runtime.io;

import dlm.runtime.Dataset;
import dlm.runtime.DlmException;
import dlm.runtime.Tensor;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Numeric CSV tables: one column is the target, every other column is a feature.
 * Gzip is recognized by its magic bytes, so {@code .csv.gz} works under any name. Quoted
 * fields are allowed (on one line); blank lines are skipped. Errors name file:line:column.
 */
public final class Csv {
    private Csv() {}

    /**
     * Features {@code [n, k]} and the target: {@code [n, 1]} floats, or {@code [n]} class ids
     * when {@code classIds} (then every target must be a non-negative integer).
     */
    public record Table(Tensor features, Tensor target, List<String> featureNames, String targetName) {
        public Dataset toDataset(String inputName, String targetName) {
            return Dataset.of(inputName, features, targetName, target);
        }
    }

    /** A CSV with a header row; {@code targetColumn} is chosen by name. */
    public static Table read(Path file, String targetColumn, boolean classIds) {
        return read(file, targetColumn, true, classIds);
    }

    /** A CSV without header whose last column is the label (e.g. digits_8x8.csv.gz). */
    public static Table readLastColumnLabel(Path file, boolean classIds) {
        return read(file, null, false, classIds);
    }

    private static Table read(Path file, String targetColumn, boolean header, boolean classIds) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(open(file), StandardCharsets.UTF_8), 1 << 16)) {
            return parse(r, file.toString(), targetColumn, header, classIds);
        } catch (NoSuchFileException e) {
            throw new DlmException(file + ": no such file");
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new DlmException(file + ": corrupt or truncated gzip data: " + e.getMessage());
        } catch (IOException e) {
            throw new DlmException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** The file's bytes, gunzipped when it starts with the gzip magic. */
    static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int b0 = in.read(), b1 = in.read();
        in.reset();
        return b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(in, 1 << 16) : in;
    }

    static Table parse(BufferedReader r, String source, String targetColumn, boolean header, boolean classIds)
            throws IOException {
        List<String> names = null;
        int targetIdx = -1;
        int width = -1;
        FloatList feats = new FloatList(), target = new FloatList();
        List<String> fields = new ArrayList<>();
        int[] starts = new int[16];
        String line;
        int lineNo = 0;
        while ((line = r.readLine()) != null) {
            lineNo++;
            if (lineNo == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') line = line.substring(1);
            if (line.isBlank()) continue;
            fields.clear();
            starts = split(line, fields, starts, source, lineNo);
            if (names == null && header) {
                names = new ArrayList<>();
                for (String f : fields) names.add(f.strip());
                targetIdx = names.indexOf(targetColumn);
                if (targetIdx < 0)
                    throw new DlmException(source + ":" + lineNo + ": no column named \"" + targetColumn
                            + "\"; the columns are: " + String.join(", ", names));
                width = names.size();
                continue;
            }
            if (width < 0) {
                width = fields.size();
                targetIdx = width - 1;
                if (width < 2) throw new DlmException(source + ":" + lineNo + ": need at least 2 columns (features then label), found " + width);
            }
            if (fields.size() != width)
                throw new DlmException(source + ":" + lineNo + ": expected " + width + " fields"
                        + (header ? " (as in the header)" : " (as in the first row)") + ", found " + fields.size());
            for (int c = 0; c < width; c++) {
                String text = fields.get(c);
                float v = number(text, source, lineNo, starts[c], names == null ? null : names.get(c));
                if (c == targetIdx) {
                    if (classIds && (v < 0 || v != Math.rint(v) || v > 1 << 24))
                        throw new DlmException(source + ":" + lineNo + ":" + starts[c] + ": class id must be a non-negative integer, got \""
                                + text.strip() + "\"");
                    target.add(v);
                } else feats.add(v);
            }
        }
        if (width < 0) throw new DlmException(source + ": empty file" + (header ? " (no header row)" : ""));
        int n = target.size;
        // otherwise the error would come later, from the validation split, without the file's name
        if (n == 0) throw new DlmException(source + ": no data rows after the header");
        int k = width - 1;
        List<String> featureNames = new ArrayList<>();
        String tName;
        if (names != null) {
            for (int c = 0; c < width; c++) if (c != targetIdx) featureNames.add(names.get(c));
            tName = names.get(targetIdx);
        } else {
            for (int c = 0; c < k; c++) featureNames.add("x" + c);
            tName = "label";
        }
        Tensor y = classIds ? Tensor.of(target.toArray(), n) : Tensor.of(target.toArray(), n, 1);
        return new Table(Tensor.of(feats.toArray(), n, k), y, featureNames, tName);
    }

    /** Splits one line on commas, honoring double quotes; records 1-based field start columns. */
    private static int[] split(String line, List<String> out, int[] starts, String source, int lineNo) {
        int i = 0, n = line.length();
        while (true) {
            if (out.size() == starts.length) starts = Arrays.copyOf(starts, starts.length * 2);
            starts[out.size()] = i + 1;
            if (i < n && line.charAt(i) == '"') {
                StringBuilder sb = new StringBuilder();
                int j = i + 1;
                while (true) {
                    if (j >= n) throw new DlmException(source + ":" + lineNo + ":" + (i + 1) + ": unterminated quoted field");
                    char c = line.charAt(j);
                    if (c == '"') {
                        if (j + 1 < n && line.charAt(j + 1) == '"') {
                            sb.append('"');
                            j += 2;
                            continue;
                        }
                        j++;
                        break;
                    }
                    sb.append(c);
                    j++;
                }
                out.add(sb.toString());
                if (j < n && line.charAt(j) != ',')
                    throw new DlmException(source + ":" + lineNo + ":" + (j + 1) + ": expected ',' after a quoted field");
                i = j;
            } else {
                int comma = line.indexOf(',', i);
                int end = comma < 0 ? n : comma;
                out.add(line.substring(i, end));
                i = end;
            }
            if (i >= n) return starts;
            i++; // skip the comma
        }
    }

    private static float number(String text, String source, int line, int col, String column) {
        String t = text.strip();
        if (looksNumeric(t)) {
            String l = t.toLowerCase(java.util.Locale.ROOT);
            String where = column == null ? "column " + col : "column \"" + column + "\"";
            // Rejected here, where the file, line and column are known: a model fed NaN or
            // infinity trains to NaN or predicts it without a word.
            if (l.endsWith("nan"))
                throw new DlmException(source + ":" + line + ":" + col + ": missing value \"" + t + "\" in " + where
                        + "; fill in missing values before training or prediction");
            if (l.endsWith("inf") || l.endsWith("infinity"))
                throw new DlmException(source + ":" + line + ":" + col + ": \"" + t + "\" in " + where
                        + " is not a finite number");
            try {
                float v = Float.parseFloat(t);
                if (Float.isFinite(v)) return v;
                throw new DlmException(source + ":" + line + ":" + col + ": \"" + t + "\" in " + where
                        + " is too large for a 32-bit float");
            } catch (NumberFormatException ignored) {
                // fall through to the error
            }
        }
        String where = column == null ? "column " + col : "column \"" + column + "\"";
        throw new DlmException(source + ":" + line + ":" + col + ": expected a number in " + where + ", got "
                + (t.isEmpty() ? "an empty field" : "\"" + t + "\""));
    }

    /** Decimal numbers and nan/inf, but not Java's extras (hex floats, 'f'/'d' suffixes). */
    private static boolean looksNumeric(String t) {
        if (t.isEmpty()) return false;
        String l = t.toLowerCase(java.util.Locale.ROOT);
        int s = l.charAt(0) == '+' || l.charAt(0) == '-' ? 1 : 0;
        String body = l.substring(s);
        if (body.equals("nan") || body.equals("inf") || body.equals("infinity")) return true;
        boolean digit = false;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c >= '0' && c <= '9') digit = true;
            else if (c != '.' && c != 'e' && c != '+' && c != '-') return false;
        }
        return digit;
    }

    /** A growable float array; tables can be large and boxing would triple their footprint. */
    static final class FloatList {
        float[] a = new float[1024];
        int size;

        void add(float v) {
            if (size == a.length) a = Arrays.copyOf(a, a.length * 2);
            a[size++] = v;
        }

        float[] toArray() {
            return Arrays.copyOf(a, size);
        }
    }
}
