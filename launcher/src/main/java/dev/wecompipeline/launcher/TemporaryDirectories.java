package dev.wecompipeline.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removal of the temporary directories the demo, setup and bench commands create. */
final class TemporaryDirectories {

    private TemporaryDirectories() {
    }

    /** Deletes a directory tree, ignoring what cannot be deleted (a temporary directory's leftovers). */
    static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // Temporary data: the OS cleans up what is left.
        }
    }
}
