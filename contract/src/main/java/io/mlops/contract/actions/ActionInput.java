package io.mlops.contract.actions;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The user parameters of one pipeline action, as a record whose component names are the JSON keys the
 * handler reads. Infra builds the record (the compiler checks every name) and passes {@link #userParameters()};
 * the handler module tests that its own parameter record has the same components.
 */
public interface ActionInput {

    /** The components in declaration order, {@code null} ones left out (the handler then applies its default). */
    default Map<String, Object> userParameters() {
        if (!getClass().isRecord()) {
            throw new IllegalStateException(getClass().getName() + " must be a record to serve as action input");
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (RecordComponent c : getClass().getRecordComponents()) {
            try {
                Object value = c.getAccessor().invoke(this);
                if (value != null) {
                    values.put(c.getName(), value);
                }
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot read " + getClass().getSimpleName() + "." + c.getName(), e);
            }
        }
        return values;
    }
}
