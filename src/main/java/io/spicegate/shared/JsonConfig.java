package io.spicegate.shared;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import io.spicegate.agent.ProtocolJson;
import jakarta.inject.Singleton;

/** The portal speaks the agents' wire format exactly as they do: the same Jackson mix-ins ({@link ProtocolJson}). */
@Singleton
public class JsonConfig implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        ProtocolJson.configure(mapper);
    }
}
