package dev.lockstep.bench.trial;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code --key=value} arguments of a trial JVM (written by the harness, so a mistake here is a harness bug). */
public final class Args {

    private final Map<String, String> values = new HashMap<>();

    public Args(String[] args) {
        for (String a : args) {
            int eq = a.indexOf('=');
            if (!a.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("trial argument '" + a + "' is not --key=value");
            }
            values.put(a.substring(2, eq), a.substring(eq + 1));
        }
    }

    public String get(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("trial argument --" + key + "= is missing");
        }
        return v;
    }

    /** The value of {@code key}, or null if it was not given. */
    public String optional(String key) {
        return values.get(key);
    }

    public Duration millis(String key) {
        return Duration.ofMillis(Long.parseLong(get(key)));
    }

    public List<Integer> ints(String key) {
        List<Integer> list = new ArrayList<>();
        for (String s : get(key).split(",")) {
            list.add(Integer.parseInt(s.trim()));
        }
        return list;
    }
}
