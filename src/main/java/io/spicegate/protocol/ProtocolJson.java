package io.spicegate.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

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

    /** {@code protected} is a Java keyword, so the record component has another name. */
    abstract static class GrantSetMixIn {

        @JsonProperty("protected")
        abstract List<?> protectedDestinations();
    }
}
