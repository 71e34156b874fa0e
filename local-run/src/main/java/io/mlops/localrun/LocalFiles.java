package io.mlops.localrun;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** File helpers of the local run. */
final class LocalFiles {
    private LocalFiles() {
    }

    /**
     * Puts every regular file of {@code from} (not recursive) into the new folder {@code to}: a hard link where the
     * file system allows it (no copy of the data), else a copy. As SageMaker's File mode, the container sees a
     * folder of plain files.
     *
     * @return the files placed
     */
    static List<Path> linkFiles(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        List<Path> sources;
        try (Stream<Path> listing = Files.list(from)) {
            sources = listing.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path source : sources) {
            Path target = to.resolve(source.getFileName());
            try {
                Files.createLink(target, source);
            } catch (UnsupportedOperationException | FileSystemException e) {
                Files.copy(source, target);
            }
        }
        return sources.stream().map(s -> to.resolve(s.getFileName())).toList();
    }

    /** Copies the tree {@code from} into {@code to} (created as needed); existing files fail the copy. */
    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path source : walk.toList()) {
                Path dest = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(source, dest);
                }
            }
        }
    }
}
