package io.mlops.localrun;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.mlops.lambdas.core.Json;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The local model registry: {@code <root>/<group>/v<N>.json}, one file per version (a
 * {@link RegistryEntry}). A version appears complete or not at all: the entry is written to a temporary
 * file in the same folder, flushed to disk, then published under its name with a hard link, which fails
 * instead of overwriting when another run took that version first (the next number is tried). Where hard
 * links are not supported the temporary file is renamed atomically instead.
 *
 * <p>A person approves a version by setting its {@code "status"} to {@code "Approved"}; the newest
 * approved version is the champion the quality gate compares with.
 */
public final class LocalRegistry {
    private static final Pattern VERSION_FILE = Pattern.compile("v(\\d{1,9})\\.json");
    private static final Pattern GROUP = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    private final Path root;

    public LocalRegistry(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** The group's folder (it may not exist yet). */
    public Path groupDir(String group) {
        if (!GROUP.matcher(group).matches()) {
            throw new IllegalArgumentException("model group name '" + group + "' must be 1-63 letters, digits, '.', '_' "
                    + "or '-', starting with a letter or digit");
        }
        return root.resolve(group);
    }

    /** A group name from free text, e.g. the ETL settings' {@code name}: other characters become {@code -}. */
    public static String groupName(String text) {
        String cleaned = text == null ? "" : text.replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^[^A-Za-z0-9]+", "");
        cleaned = cleaned.length() > 63 ? cleaned.substring(0, 63) : cleaned;
        return cleaned.isEmpty() ? "model" : cleaned;
    }

    /** The file of a version. */
    public Path file(String group, int version) {
        return groupDir(group).resolve("v" + version + ".json");
    }

    /**
     * Every version of the group, oldest first.
     *
     * @throws IllegalStateException naming a file that is not a readable entry, and the fix
     */
    public List<RegistryEntry> entries(String group) throws IOException {
        Path dir = groupDir(group);
        List<RegistryEntry> entries = new ArrayList<>();
        for (int version : versions(dir)) {
            Path file = dir.resolve("v" + version + ".json");
            RegistryEntry entry;
            try {
                entry = Json.EVENTS.readValue(file.toFile(), RegistryEntry.class);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("registry entry " + file + " is not valid JSON (" + e.getOriginalMessage()
                        + "); fix it or move it out of " + dir);
            }
            if (entry == null || !RegistryEntry.STATUSES.contains(entry.status())) {
                throw new IllegalStateException("registry entry " + file + " has status "
                        + (entry == null ? "null" : "'" + entry.status() + "'") + "; it must be one of "
                        + RegistryEntry.STATUSES.stream().sorted().toList() + " (set \"Approved\" to make it the champion)");
            }
            if (entry.version() != version) {
                throw new IllegalStateException("registry entry " + file + " says version " + entry.version()
                        + "; a file v<N>.json must hold version N");
            }
            entries.add(entry);
        }
        return entries;
    }

    /** The newest {@code Approved} version, if any: the champion. */
    public Optional<RegistryEntry> champion(String group) throws IOException {
        return entries(group).stream().filter(e -> RegistryEntry.APPROVED.equals(e.status()))
                .max(Comparator.comparingInt(RegistryEntry::version));
    }

    /**
     * Registers {@code draft} as the group's next version (its own version number is ignored).
     *
     * @return the entry as written, with its version
     */
    public RegistryEntry register(RegistryEntry draft) throws IOException {
        if (!RegistryEntry.STATUSES.contains(draft.status())) {
            throw new IllegalArgumentException("status '" + draft.status() + "' is not one of " + RegistryEntry.STATUSES);
        }
        Path dir = Files.createDirectories(groupDir(draft.group()));
        Path temp = Files.createTempFile(dir, ".register-", ".json.tmp");
        try {
            for (int attempt = 0; attempt < 1000; attempt++) {
                List<Integer> versions = versions(dir);
                int next = versions.isEmpty() ? 1 : versions.get(versions.size() - 1) + 1;
                RegistryEntry entry = draft.withVersion(next);
                writeDurably(temp, Json.EVENTS.writerWithDefaultPrettyPrinter().writeValueAsString(entry) + "\n");
                Path target = dir.resolve("v" + next + ".json");
                try {
                    Files.createLink(target, temp);
                    return entry;
                } catch (FileAlreadyExistsException e) {
                    continue; // another run published this version between listing and linking: take the next one
                } catch (UnsupportedOperationException | FileSystemException e) {
                    if (Files.exists(target)) {
                        continue;
                    }
                    try {
                        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                    } catch (AtomicMoveNotSupportedException notAtomic) {
                        throw new IOException("cannot publish " + target + " atomically on this file system (no hard "
                                + "links, no atomic rename); choose another --registry folder", notAtomic);
                    }
                    return entry;
                }
            }
            throw new IOException("could not claim a version number in " + dir + " after 1000 attempts");
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void writeDurably(Path file, String content) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    /** Version numbers of {@code v<N>.json} files in {@code dir}, ascending; temporary files are not versions. */
    private static List<Integer> versions(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Integer> versions = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(f -> {
                Matcher m = VERSION_FILE.matcher(f.getFileName().toString());
                if (m.matches()) {
                    versions.add(Integer.parseInt(m.group(1)));
                }
            });
        }
        versions.sort(null);
        return versions;
    }
}
