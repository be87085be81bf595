package dev.lockstep.tm.messages;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What every module's catalogue test checks, and how {@code docs/messages.md} is rendered, written once so that the
 * six catalogues are held to the same rules: ids unique and inside the module's range, each with a meaning and an
 * action, none typed by hand outside the catalogue, and one section of the document per module between markers,
 * so each module's test renders and compares only its own.
 */
public final class MessageCatalogue {

    /** An id typed in a string or comment: {@code LKS-} and three digits, or the older letter and two digits. */
    private static final Pattern TYPED_ID = Pattern.compile("LKS-(?:[0-9]{3}|[A-Z][0-9]{2})");

    private MessageCatalogue() {
    }

    /** The entries of a catalogue enum, in declaration order. */
    public static List<MessageId> entries(Class<? extends MessageId> catalogue) {
        MessageId[] all = catalogue.getEnumConstants();
        if (all == null) {
            throw new IllegalArgumentException(catalogue.getName() + " is not an enum");
        }
        return List.of(all);
    }

    /** Why the catalogue breaks the rules (an id used twice, outside its range, a text missing); empty if none. */
    public static List<String> problems(MessageRange range, Class<? extends MessageId> catalogue) {
        List<String> problems = new ArrayList<>();
        if (!catalogue.getSimpleName().equals(range.catalogue())) {
            problems.add(catalogue.getName() + " is not the catalogue " + range.catalogue() + " of " + range);
        }
        Map<Integer, MessageId> seen = new HashMap<>();
        int previous = 0;
        for (MessageId m : entries(catalogue)) {
            MessageId twin = seen.putIfAbsent(m.number(), m);
            if (twin != null) {
                problems.add(m.id() + " is used by both " + ((Enum<?>) twin).name() + " and " + ((Enum<?>) m).name());
            }
            if (!range.contains(m.number())) {
                problems.add(m.id() + " (" + ((Enum<?>) m).name() + ") is outside the range of " + range);
            }
            if (m.number() < previous) {
                problems.add(m.id() + " (" + ((Enum<?>) m).name() + ") is out of order: keep the catalogue sorted");
            }
            previous = m.number();
            if (!m.toString().equals(m.id())) {
                problems.add(((Enum<?>) m).name() + ".toString() is '" + m + "', not its id " + m.id());
            }
            for (String text : new String[] {m.meaning(), m.action()}) {
                if (text == null || text.isBlank() || text.contains("|") || text.contains("\n")) {
                    problems.add(m.id() + " needs a one-line meaning and action without '|', got '" + text + "'");
                }
            }
        }
        return problems;
    }

    /**
     * Every {@code LKS-} id typed by hand in the Java sources under {@code sourceRoot} (a module's
     * {@code src/main/java}) outside the catalogue itself, as {@code file:line: text}; empty if every id comes from
     * the catalogue.
     */
    public static List<String> idsTypedByHand(Path sourceRoot, Class<? extends MessageId> catalogue)
            throws IOException {
        Path own = sourceRoot.resolve(catalogue.getName().replace('.', '/') + ".java");
        if (!Files.isRegularFile(own)) {
            throw new IllegalArgumentException(own + " does not exist: is " + sourceRoot + " the module's sources?");
        }
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sourceRoot)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java") && !f.equals(own)).sorted().toList()) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    if (TYPED_ID.matcher(lines.get(i)).find()) {
                        found.add(sourceRoot.relativize(file) + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            }
        }
        return found;
    }

    /** The module's section of {@code docs/messages.md}, markers included. */
    public static String section(MessageRange range, Class<? extends MessageId> catalogue) {
        StringBuilder sb = new StringBuilder();
        sb.append(begin(range)).append('\n')
          .append("## ").append(range.module()).append(": ").append(MessageId.id(range.first())).append(" to ")
          .append(MessageId.id(range.last())).append("\n\n")
          .append("Catalogue: `").append(catalogue.getName()).append("`.\n\n")
          .append("| id | meaning | what to do |\n|---|---|---|\n");
        for (MessageId m : entries(catalogue)) {
            sb.append("| ").append(m.id()).append(" `").append(((Enum<?>) m).name()).append("` | ")
              .append(m.meaning()).append(" | ").append(m.action()).append(" |\n");
        }
        return sb.append(end(range)).append('\n').toString();
    }

    /**
     * Compares the module's section of the document with the catalogue; with {@code render} it first writes the
     * section into the document (replacing the old one between its markers, or appending it). True if they match.
     */
    public static boolean documentMatches(Path doc, MessageRange range, Class<? extends MessageId> catalogue,
            boolean render) throws IOException {
        String text = Files.exists(doc) ? Files.readString(doc, StandardCharsets.UTF_8) : "";
        String wanted = section(range, catalogue);
        int from = text.indexOf(begin(range));
        int to = text.indexOf(end(range));
        String current = from >= 0 && to > from
                ? text.substring(from, Math.min(text.length(), to + end(range).length() + 1)) : null;
        if (render && !wanted.equals(current)) {
            text = current != null ? text.substring(0, from) + wanted + text.substring(from + current.length())
                    : text + (text.isEmpty() || text.endsWith("\n\n") ? "" : "\n") + wanted;
            Files.writeString(doc, text, StandardCharsets.UTF_8);
            current = wanted;
        }
        return wanted.equals(current);
    }

    private static String begin(MessageRange range) {
        return "<!-- begin " + range.module() + ": rendered from " + range.catalogue() + ", do not edit -->";
    }

    private static String end(MessageRange range) {
        return "<!-- end " + range.module() + " -->";
    }
}
