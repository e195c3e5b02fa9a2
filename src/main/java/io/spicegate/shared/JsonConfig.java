package io.spicegate.shared;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import io.spicegate.protocol.Destination;
import io.spicegate.protocol.GrantSet;
import jakarta.inject.Singleton;

import java.util.List;

/** JSON names the wire records cannot spell in Java: {@code GrantSet.protectedDestinations} is {@code "protected"}. */
@Singleton
public class JsonConfig implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.addMixIn(GrantSet.class, GrantSetNames.class);
    }

    /** Mix-in renaming the record component. */
    abstract static class GrantSetNames {
        @JsonProperty("protected")
        abstract List<Destination> protectedDestinations();
    }
}
