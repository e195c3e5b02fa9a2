package io.spicegate.shared;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.quarkus.jackson.ObjectMapperCustomizer;
import io.spicegate.protocol.ProtocolJson;
import jakarta.inject.Singleton;

/**
 * The portal speaks the agents' wire format exactly as they do (the same Jackson mix-ins, {@link ProtocolJson}),
 * and refuses a fraction where a whole number is expected, a text where a number or a yes/no is expected (and the
 * other way round), and a body that names a field twice or goes on after its value.
 */
@Singleton
public class JsonConfig implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        ProtocolJson.configure(mapper);
        // "minutes": 1.9 is refused (400), never silently read as 1: every integer field of the API
        mapper.disable(com.fasterxml.jackson.databind.DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        // {"minutes": 1, "minutes": 2} is a 400 naming the field: which one would count is anybody's guess, and a
        // record's constructor cannot take both (Jackson answered that with a 500)
        mapper.enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        // {"minutes": 15}{"minutes": 30} is one body with something after it, not "the first one counts": a 400
        mapper.enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        // "days": "7" is not a number and "name": 5 is not a text: a 400 naming the field, never quietly converted
        // (as 7.0 already was refused, so is "7")
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    }
}
