package dev.lockstep.demo.transfer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses the recovery service's logfmt lines: {@code key=value key="quoted \"value\"" flag}. */
public final class LogfmtReader {

    private LogfmtReader() {
    }

    /** The lines of {@code text} that carry an {@code event=} key, parsed, in order. */
    public static List<Map<String, String>> events(String text) {
        List<Map<String, String>> out = new ArrayList<>();
        for (String line : text.lines().toList()) {
            Map<String, String> m = parse(line);
            if (m.containsKey("event")) {
                out.add(m);
            }
        }
        return out;
    }

    /** One line; a key without {@code =} maps to "true", an unterminated quote runs to the end of the line. */
    public static Map<String, String> parse(String line) {
        Map<String, String> m = new LinkedHashMap<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            while (i < n && line.charAt(i) == ' ') {
                i++;
            }
            int keyStart = i;
            while (i < n && line.charAt(i) != '=' && line.charAt(i) != ' ') {
                i++;
            }
            String key = line.substring(keyStart, i);
            if (key.isEmpty()) {
                i++;
                continue;
            }
            if (i >= n || line.charAt(i) == ' ') {
                m.put(key, "true");
                continue;
            }
            i++; // '='
            StringBuilder value = new StringBuilder();
            if (i < n && line.charAt(i) == '"') {
                i++;
                while (i < n && line.charAt(i) != '"') {
                    char ch = line.charAt(i);
                    if (ch == '\\' && i + 1 < n) {
                        char next = line.charAt(++i);
                        value.append(switch (next) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            default -> next;
                        });
                    } else {
                        value.append(ch);
                    }
                    i++;
                }
                i++; // closing quote
            } else {
                while (i < n && line.charAt(i) != ' ') {
                    value.append(line.charAt(i++));
                }
            }
            m.put(key, value.toString());
        }
        return m;
    }
}
