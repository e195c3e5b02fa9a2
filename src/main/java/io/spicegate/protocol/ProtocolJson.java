package io.spicegate.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.util.List;

/**
 * The JSON form of the wire records, one for both sides: the agents use {@link #mapper()}, the portal adds the same
 * mix-ins to its own mapper through {@link #configure}.
 */
public final class ProtocolJson {

    private ProtocolJson() {
    }

    /** A mapper for the agent protocol: ISO-8601 instants, unknown properties ignored, {@code protected} mapped. */
    public static ObjectMapper mapper() {
        ObjectMapper mapper = new ObjectMapper();
        mapper.registerModule(new JavaTimeModule());
        mapper.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        mapper.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        configure(mapper);
        return mapper;
    }

    /** Registers what the records need beyond plain Jackson: {@code GrantSet.protectedDestinations} is {@code protected} on the wire. */
    public static void configure(ObjectMapper mapper) {
        mapper.addMixIn(GrantSet.class, GrantSetMixIn.class);
    }

    /**
     * {@code protected} is a Java keyword, so the record component has another name. The portal hands every answer the
     * same unmodifiable list while its destinations stand: written once ({@link SameListJson}).
     */
    abstract static class GrantSetMixIn {

        @JsonProperty("protected")
        @JsonSerialize(using = SameListJson.class)
        abstract List<?> protectedDestinations();
    }

    /**
     * Writes a list of records as JSON, and the very list instance it wrote last again from the text it wrote then:
     * the protected destinations of an idle answer (thousands of ports at 2 000 consoles) cost a copy, not a
     * serialisation, per poll. Only for unmodifiable lists, which is what the portal hands out.
     */
    static final class SameListJson extends StdSerializer<List<?>> {

        /** A list instance and its JSON. */
        private record Written(List<?> list, String json) {
        }

        private static final ObjectMapper PLAIN = JsonMapper.builder().addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();
        private volatile Written last;

        @SuppressWarnings({"unchecked", "rawtypes"})
        SameListJson() {
            super((Class) List.class);
        }

        @Override
        public void serialize(List<?> value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            Written w = last;
            if (w == null || w.list() != value) {
                w = new Written(value, PLAIN.writeValueAsString(value));
                last = w;
            }
            gen.writeRawValue(w.json());
        }
    }
}
