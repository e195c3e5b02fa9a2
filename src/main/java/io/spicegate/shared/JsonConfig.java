package io.spicegate.shared;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import io.spicegate.protocol.ProtocolJson;
import jakarta.inject.Singleton;

/**
 * The portal speaks the agents' wire format exactly as they do (the same Jackson mix-ins, {@link ProtocolJson}),
 * and refuses a fraction where a whole number is expected.
 */
@Singleton
public class JsonConfig implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        ProtocolJson.configure(mapper);
        // "minutes": 1.9 is refused (400), never silently read as 1: every integer field of the API
        mapper.disable(com.fasterxml.jackson.databind.DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    }
}
