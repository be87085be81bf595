package dev.lockstep.spring.boot;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Takes secrets out of the free text that the health indicator and the endpoint show (an XA error's message, a
 * recovery scan's reason, a store's problem): every password configured under {@code lockstep.*}, a
 * {@code password=} (or {@code pwd=}) parameter of a URL, and the password of a {@code scheme://user:password@host}.
 * Drivers rarely put any of them into a message, but an Actuator endpoint is no place to find out which one does.
 */
final class SecretRedactor {

    static final String MASK = "******";
    private static final Pattern PARAMETER = Pattern.compile("(?i)\\b(password|pwd|passwd)=[^&;,\\s)\\]]*");
    private static final Pattern USER_INFO = Pattern.compile("(://[^/:@\\s]*):[^@/\\s]*@");

    private final List<String> secrets;

    SecretRedactor(List<String> secrets) {
        List<String> s = new ArrayList<>();
        for (String secret : secrets) {
            if (secret != null && !secret.isEmpty()) {
                s.add(secret);
            }
        }
        // The longest first, so that a password containing another is masked whole.
        s.sort(Comparator.comparingInt(String::length).reversed());
        this.secrets = List.copyOf(s);
    }

    /** The passwords of {@code p}'s DataSources, JMS factories and decision store. */
    static SecretRedactor of(LockstepProperties p) {
        List<String> s = new ArrayList<>();
        p.getDatasources().values().forEach(ds -> s.add(ds.getPassword()));
        p.getJms().values().forEach(jms -> s.add(jms.getPassword()));
        s.add(p.getDecisionStore().getPassword());
        return new SecretRedactor(s);
    }

    /** {@code text} with every secret replaced by {@value #MASK}; null stays null. */
    String redact(String text) {
        if (text == null) {
            return null;
        }
        String r = text;
        for (String secret : secrets) {
            r = r.replace(secret, MASK);
        }
        r = PARAMETER.matcher(r).replaceAll("$1=" + MASK);
        return USER_INFO.matcher(r).replaceAll("$1:" + MASK + "@");
    }
}
