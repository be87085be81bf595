package dev.lockstep.bench.trial;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One result line between a trial JVM and the harness: tab-separated {@code key=value} pairs (values never hold a
 * tab or a newline; they are replaced by spaces).
 */
public final class Fields {

    private Fields() {
    }

    public static String format(Map<String, ?> fields) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, ?> e : fields.entrySet()) {
            if (sb.length() > 0) {
                sb.append('\t');
            }
            sb.append(e.getKey()).append('=').append(String.valueOf(e.getValue()).replace('\t', ' ')
                    .replace('\n', ' ').replace('\r', ' '));
        }
        return sb.toString();
    }

    public static Map<String, String> parse(String line) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String part : line.split("\t")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                m.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return m;
    }
}
