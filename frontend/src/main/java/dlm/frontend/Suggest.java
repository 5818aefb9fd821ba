package dlm.frontend;

import java.util.Collection;

/** "did you mean ...?" for misspelt names. */
final class Suggest {
    private Suggest() {}

    /** {@code "; did you mean 'x'?"}, or "" when no candidate is close enough. */
    static String didYouMean(String word, Collection<String> candidates) {
        String best = null;
        int bestScore = Integer.MAX_VALUE;
        for (String c : candidates) {
            if (c.equals(word)) continue;
            int d = distance(word.toLowerCase(), c.toLowerCase());
            // A written prefix ("acc" for "accuracy") is as good as a one-letter slip.
            if (word.length() >= 3 && c.startsWith(word)) d = Math.min(d, 1);
            if (d < bestScore) { bestScore = d; best = c; }
        }
        int limit = Math.max(1, Math.min(3, word.length() / 3 + 1));
        return best != null && bestScore <= limit ? "; did you mean '" + best + "'?" : "";
    }

    /** {@code "; did you mean 'x'?"} when a candidate is close, else {@code "; " + otherwise}. */
    static String orElse(String word, Collection<String> candidates, String otherwise) {
        String s = didYouMean(word, candidates);
        return s.isEmpty() ? "; " + otherwise : s;
    }

    /** Levenshtein distance with adjacent transpositions. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++)
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1))
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
            }
        return d[a.length()][b.length()];
    }
}
