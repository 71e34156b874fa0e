package io.mlops.lambdas.modelgroup;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The ModelGroup custom resource's properties, validated. CloudFormation passes values as strings.
 *
 * @param groupName {@code GroupName} (required): SageMaker model package group name
 * @param description {@code Description} (optional, create-only: SageMaker cannot change it later)
 * @param tags {@code Tags} (optional): list of {@code {Key, Value}}
 * @param purgeOnDelete {@code PurgeOnDelete} (optional, {@code "true"}/{@code "false"}, default false): on
 *        Delete, delete every model package and the group instead of keeping them
 */
public record ModelGroupProperties(String groupName, String description, Map<String, String> tags,
        boolean purgeOnDelete) {

    /** SageMaker's ModelPackageGroupName pattern. */
    public static final Pattern GROUP_NAME = Pattern.compile("[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}");
    static final Set<String> KNOWN = Set.of("ServiceToken", "GroupName", "Description", "Tags", "PurgeOnDelete");
    static final int MAX_DESCRIPTION = 1024;
    static final int MAX_TAGS = 50;

    public ModelGroupProperties {
        tags = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    }

    /** A property problem; the message lists every problem and the fix. */
    public static final class InvalidPropertiesException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidPropertiesException(String message) {
            super(message);
        }
    }

    /** Parses and validates; every problem is reported at once. */
    public static ModelGroupProperties parse(Map<String, Object> properties) {
        List<String> problems = new ArrayList<>();
        Set<String> unknown = new TreeSet<>(properties.keySet());
        unknown.removeAll(KNOWN);
        if (!unknown.isEmpty()) {
            problems.add("unknown propert" + (unknown.size() == 1 ? "y " : "ies ") + unknown + " (known: GroupName, "
                    + "Description, Tags, PurgeOnDelete)");
        }
        String name = text(properties.get("GroupName"));
        if (name == null || name.isBlank()) {
            problems.add("GroupName is required");
        } else if (!GROUP_NAME.matcher(name).matches()) {
            problems.add("GroupName '" + name + "' is not a valid model package group name (1-63 characters, letters, "
                    + "digits and '-', starting and ending with a letter or digit: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62})");
        }
        String description = text(properties.get("Description"));
        if (description != null && description.isBlank()) {
            description = null;
        }
        if (description != null && description.length() > MAX_DESCRIPTION) {
            problems.add("Description is " + description.length() + " characters; SageMaker allows " + MAX_DESCRIPTION);
        }
        Map<String, String> tags = tags(properties.get("Tags"), problems);
        Boolean purge = purge(properties.get("PurgeOnDelete"), problems);
        if (!problems.isEmpty()) {
            throw new InvalidPropertiesException("ModelGroup properties are invalid: " + String.join("; ", problems)
                    + ". Fix the ModelGroup resource in the infra stack and deploy again.");
        }
        return new ModelGroupProperties(name, description, tags, purge);
    }

    /**
     * The tags of properties that were valid when they were applied (OldResourceProperties): never
     * fails, so a broken old value cannot block an update that fixes it.
     */
    public static Map<String, String> tagsLenient(Map<String, Object> properties) {
        return tags(properties.get("Tags"), new ArrayList<>());
    }

    /** The description of properties applied before (OldResourceProperties), blank as null; never fails. */
    public static String descriptionLenient(Map<String, Object> properties) {
        String d = text(properties.get("Description"));
        return d == null || d.isBlank() ? null : d;
    }

    /** Only the exact value "true" (or a JSON true) purges; anything else keeps the group (the safe side). */
    public static boolean purgeLenient(Map<String, Object> properties) {
        Object value = properties.get("PurgeOnDelete");
        return Boolean.TRUE.equals(value) || (value instanceof String s && s.trim().equals("true"));
    }

    private static Boolean purge(Object value, List<String> problems) {
        if (value == null) {
            return false;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String s = String.valueOf(value).trim();
        if (s.equals("true")) {
            return true;
        }
        if (s.equals("false") || s.isEmpty()) {
            return false;
        }
        problems.add("PurgeOnDelete must be \"true\" or \"false\", got '" + value + "'");
        return false;
    }

    private static Map<String, String> tags(Object value, List<String> problems) {
        Map<String, String> tags = new LinkedHashMap<>();
        if (value == null || (value instanceof String s && s.isBlank())) {
            return tags;
        }
        if (!(value instanceof List<?> list)) {
            problems.add("Tags must be a list of {\"Key\": ..., \"Value\": ...}, got " + describe(value));
            return tags;
        }
        for (int i = 0; i < list.size(); i++) {
            Object item = list.get(i);
            if (!(item instanceof Map<?, ?> tag)) {
                problems.add("Tags[" + i + "] must be {\"Key\": ..., \"Value\": ...}, got " + describe(item));
                continue;
            }
            String key = text(tag.get("Key"));
            String tagValue = text(tag.get("Value"));
            if (key == null || key.isEmpty() || key.length() > 128) {
                problems.add("Tags[" + i + "].Key must be 1-128 characters, got " + describe(tag.get("Key")));
                continue;
            }
            if (key.toLowerCase(java.util.Locale.ROOT).startsWith("aws:")) {
                problems.add("Tags[" + i + "].Key '" + key + "' uses the reserved prefix 'aws:'");
                continue;
            }
            if (tagValue == null) {
                tagValue = "";
            }
            if (tagValue.length() > 256) {
                problems.add("Tags[" + i + "].Value for '" + key + "' is longer than 256 characters");
                continue;
            }
            if (tags.put(key, tagValue) != null) {
                problems.add("Tags has the key '" + key + "' twice");
            }
        }
        if (tags.size() > MAX_TAGS) {
            problems.add("Tags has " + tags.size() + " entries; SageMaker allows " + MAX_TAGS);
        }
        return tags;
    }

    private static String text(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof String s) {
            return s.trim();
        }
        if (value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        return null;
    }

    private static String describe(Object value) {
        if (value == null) {
            return "nothing";
        }
        String s = String.valueOf(value);
        return "'" + (s.length() > 80 ? s.substring(0, 80) + "..." : s) + "' (" + value.getClass().getSimpleName() + ")";
    }
}
