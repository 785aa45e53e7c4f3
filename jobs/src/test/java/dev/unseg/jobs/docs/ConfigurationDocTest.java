package dev.unseg.jobs.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md lists every {@code unseg.*} key of reference.conf with its default and the comment
 * above it. The table between the markers is generated from reference.conf: this test fails when the two
 * differ, and with {@code -Dunseg.docs.write=true} it rewrites that part of the file instead.
 */
class ConfigurationDocTest {
  static final String BEGIN = "<!-- generated from reference.conf: do not edit; ConfigurationDocTest -->";
  static final String END = "<!-- end generated -->";
  static final Pattern NUMBER_LITERAL = Pattern.compile("=\\s*(-?[0-9][0-9.eE+-]*)\\s*$");
  static final String REWRITE =
      "run mvn -pl jobs test -Dtest=ConfigurationDocTest -Dunseg.docs.write=true";

  /** One key: its path, its default as written in the table, its comment, and where it is in the file. */
  record Entry(String key, String defaultValue, String comment, int line) {}

  /** The jobs module's folder: tests run in it, an IDE may run them from the repository root. */
  static Path moduleDir() {
    Path here = Path.of("").toAbsolutePath();
    if (Files.exists(here.resolve("src/main/resources/reference.conf"))) {
      return here;
    }
    return here.resolve("jobs");
  }

  static Path referenceConf() {
    return moduleDir().resolve("src/main/resources/reference.conf");
  }

  static Path configurationDoc() {
    return moduleDir().resolve("../docs/configuration.md").normalize();
  }

  /** Every key under unseg, in file order, with its default (UNSEG_KEY and the like left out). */
  static List<Entry> entries(Path referenceConf) {
    List<String> lines;
    try {
      lines = Files.readAllLines(referenceConf, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Config config = ConfigFactory.parseFile(referenceConf.toFile(), ConfigParseOptions.defaults().setAllowMissing(false))
        .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(false));
    List<Entry> entries = new ArrayList<>();
    for (Map.Entry<String, ConfigValue> e : config.getConfig("unseg").entrySet()) {
      String key = "unseg." + e.getKey();
      ConfigValue value = e.getValue();
      entries.add(new Entry(key, renderDefault(value, lines), comment(value.origin().comments()), value.origin().lineNumber()));
    }
    entries.sort(Comparator.comparingInt(Entry::line).thenComparing(Entry::key));
    return entries;
  }

  static String comment(List<String> lines) {
    return lines.stream().map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.joining(" "));
  }

  static String renderDefault(ConfigValue value, List<String> lines) {
    if (value.valueType() == ConfigValueType.STRING) {
      String s = (String) value.unwrapped();
      return s.isEmpty() ? "`\"\"`" : "`" + s.replace("|", "\\|") + "`";
    }
    if (value.valueType() == ConfigValueType.NUMBER) {
      // As written (1.0, not the 1 Typesafe Config turns it into): the literal on the key's line.
      Matcher m = NUMBER_LITERAL.matcher(lines.get(value.origin().lineNumber() - 1));
      if (m.find()) {
        return "`" + m.group(1) + "`";
      }
    }
    return "`" + value.render(ConfigRenderOptions.concise()).replace("|", "\\|") + "`";
  }

  /** Plain text into a Markdown table cell: no '|' ends the cell, no '<' opens HTML, no '*' or '_' emphasis. */
  static String cell(String text) {
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")
        .replace("`", "\\`").replace("<", "&lt;").replace(">", "&gt;");
  }

  /** The section of a key: its first two path elements (unseg.input, unseg.evaluate, ...). */
  static String section(String key) {
    String[] parts = key.split("\\.");
    return parts[0] + "." + parts[1];
  }

  /** The Markdown between the markers: one table per section, in the order of reference.conf. */
  static String render(Path referenceConf) {
    Config raw = ConfigFactory.parseFile(referenceConf.toFile());
    Map<String, List<Entry>> sections = new LinkedHashMap<>();
    for (Entry e : entries(referenceConf)) {
      sections.computeIfAbsent(section(e.key()), s -> new ArrayList<>()).add(e);
    }
    StringBuilder md = new StringBuilder();
    for (Map.Entry<String, List<Entry>> s : sections.entrySet()) {
      md.append("\n### `").append(s.getKey()).append("`\n\n");
      ConfigValue block = ((ConfigObject) raw.root().get("unseg")).get(s.getKey().substring("unseg.".length()));
      String blockComment = block == null ? "" : comment(block.origin().comments());
      if (!blockComment.isEmpty()) {
        md.append(cell(blockComment)).append("\n\n");
      }
      md.append("| key | default | meaning |\n|---|---|---|\n");
      String lastCommented = null;
      for (Entry e : s.getValue()) {
        String meaning;
        if (!e.comment().isEmpty()) {
          meaning = cell(e.comment());
          lastCommented = e.key();
        } else if (lastCommented != null) {
          meaning = "See `" + lastCommented + "` above.";
        } else {
          meaning = "";
        }
        if (e.key().startsWith("unseg.testing.") && !e.comment().toLowerCase(Locale.ROOT).startsWith("test only")) {
          meaning = "**Test only.** " + meaning;
        }
        md.append("| `").append(e.key()).append("` | ").append(e.defaultValue()).append(" | ").append(meaning)
            .append(" |\n");
      }
    }
    return md.append("\n").toString();
  }

  @Test
  void everyKeyOfReferenceConfIsDocumented() throws IOException {
    Path doc = configurationDoc();
    String text = Files.readString(doc, StandardCharsets.UTF_8);
    int begin = text.indexOf(BEGIN);
    int end = text.indexOf(END);
    assertTrue(begin >= 0 && end > begin, doc + " must hold the lines " + BEGIN + " and " + END);
    int from = begin + BEGIN.length();
    String expected = render(referenceConf());
    String actual = text.substring(from, end);
    if (Boolean.getBoolean("unseg.docs.write")) {
      if (!expected.equals(actual)) {
        Files.writeString(doc, text.substring(0, from) + expected + text.substring(end), StandardCharsets.UTF_8);
      }
      return;
    }
    assertEquals(expected, actual, doc + " does not match reference.conf: " + REWRITE);
  }

  @Test
  void everyUnsegKeyHasARow() {
    String expected = render(referenceConf());
    Config config = ConfigFactory.parseFile(referenceConf().toFile())
        .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(false));
    for (Map.Entry<String, ConfigValue> e : config.getConfig("unseg").entrySet()) {
      assertTrue(expected.contains("| `unseg." + e.getKey() + "` |"), "no row for unseg." + e.getKey());
    }
    assertTrue(expected.contains("| `unseg.generator.key` | `\"\"` |"), "the key's default is empty, UNSEG_KEY aside");
  }
}
