package dlm.frontend;

import java.util.List;

/** A source file's name and text, split into lines for diagnostics. */
public record Source(String name, String text) {
    public List<String> lines() { return text.lines().toList(); }

    /** Line {@code n} (1-based), or null past the end. */
    public String line(int n) {
        List<String> ls = lines();
        return n >= 1 && n <= ls.size() ? ls.get(n - 1) : null;
    }
}
