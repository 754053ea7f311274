package dev.wecompipeline.bench;

import java.io.IOException;
import java.nio.file.Path;

/** A load generator in its own process that sends as fast as the server answers: wrk, or {@code bench load}. */
public interface ClosedLoopLoad {

    /** {@code GET url} for {@code seconds}. */
    LoadResult get(String url, int seconds) throws IOException, InterruptedException;

    /** The {@code lines} callbacks of {@code file} POSTed to {@code baseUrl + path} for {@code seconds}. */
    LoadResult post(String baseUrl, String path, Path file, int lines, int seconds) throws IOException, InterruptedException;

    /** How it is described in the table's notes. */
    String describe();
}
