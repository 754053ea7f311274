package dev.wecompipeline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.xml.XmlMapper;
import org.junit.jupiter.api.Test;

/**
 * The README's module map matches the tree: the modules the root pom builds are the modules the
 * table lists, and each listed package exists in its module's sources.
 */
class ModuleMapTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z-]+)` \\|.*\\| ([^|]+) \\|$");

    @Test
    void the_readme_lists_exactly_the_modules_the_build_has_with_their_packages() throws Exception {
        JsonNode modules = new XmlMapper().readTree(ROOT.resolve("pom.xml").toFile()).path("modules").path("module");
        TreeSet<String> built = new TreeSet<>();
        modules.forEach(m -> built.add(m.asText()));

        String readme = Files.readString(ROOT.resolve("README.md"));
        String section = readme.substring(readme.indexOf("\n## Modules\n"));
        int next = section.indexOf("\n## ", 5);
        section = next < 0 ? section : section.substring(0, next);
        TreeSet<String> listed = new TreeSet<>();
        List<String> missingPackages = new ArrayList<>();
        for (String line : section.split("\n")) {
            Matcher m = ROW.matcher(line.strip());
            if (!m.matches()) {
                continue;
            }
            String module = m.group(1);
            listed.add(module);
            for (String pkg : m.group(2).split(",")) {
                String name = pkg.strip().replace("`", "");
                Path dir = ROOT.resolve(module).resolve("src/main/java/dev/wecompipeline").resolve(name.replace('.', '/'));
                if (!Files.isDirectory(dir)) {
                    missingPackages.add(module + ": " + name);
                }
            }
        }
        assertEquals(built, listed, "README ## Modules vs the root pom's <modules>");
        assertEquals(List.of(), missingPackages, "packages the README names that the module does not have");
    }
}
