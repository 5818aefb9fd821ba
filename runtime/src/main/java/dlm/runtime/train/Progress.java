package dlm.runtime.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * The training log: one line per epoch, such as
 * {@code epoch 3/50  loss 0.2134  accuracy 0.9412  val_loss 0.1932  val_accuracy 0.9561  [1.2 s]}.
 * On a terminal the line is also redrawn in place ('\r') during the epoch, at most ten times
 * a second; on a pipe or file that would only produce clutter.
 */
final class Progress {
    private static final long REDRAW_NANOS = 100_000_000L;
    private final PrintStream out;
    private final boolean interactive;
    private final int epochs;
    private long lastDraw;
    private int lastWidth;

    Progress(PrintStream out, Boolean interactive, int epochs) {
        this.out = out;
        this.interactive = out != null && (interactive != null ? interactive
                : System.console() != null && (out == System.out || out == System.err));
        this.epochs = epochs;
    }

    /** Called after each step; cheap when not interactive. */
    void step(int epoch, int done, int total, double runningLoss) {
        if (!interactive) return;
        long now = System.nanoTime();
        if (now - lastDraw < REDRAW_NANOS && done < total) return;
        lastDraw = now;
        int width = 20, filled = total == 0 ? width : (int) ((long) width * done / total);
        String line = String.format(Locale.ROOT, "epoch %d/%d  [%s%s] %d/%d  loss %.4f", epoch, epochs,
                "=".repeat(filled), " ".repeat(width - filled), done, total, runningLoss);
        draw(line);
    }

    void epoch(int epoch, Map<String, Double> values, double seconds, String suffix) {
        if (out == null) return;
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs));
        values.forEach((k, v) -> sb.append("  ").append(k).append(' ').append(String.format(Locale.ROOT, "%.4f", v)));
        sb.append(String.format(Locale.ROOT, "  [%.1f s]", seconds));
        if (suffix != null) sb.append("  ").append(suffix);
        if (interactive) draw(sb.toString());
        else out.print(sb);
        out.println();
        lastWidth = 0;
        out.flush();
    }

    void note(String message) {
        if (out == null) return;
        out.println(message);
        out.flush();
    }

    private void draw(String line) {
        // Pad to erase the tail of a longer previous line.
        out.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
        lastWidth = line.length();
        out.flush();
    }
}
