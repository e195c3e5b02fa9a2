package io.spicegate.agent;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;

/**
 * Rewrites a libvirt domain's SPICE {@code <graphics>} element for {@code virsh update-device --live}: libvirt
 * refuses the update unless the element keeps the running port, TLS port and listen address, so the element is
 * taken whole from {@code virsh dumpxml --security-info} and only {@code passwd}, {@code passwdValidTo} (UTC,
 * to the second) and {@code connected='keep'} change. Pure: XML in, XML out.
 */
public final class GraphicsXml {

    private static final DateTimeFormatter VALID_TO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    private GraphicsXml() {
    }

    /** The domain's SPICE graphics element with the one-time password valid until {@code validTo}. */
    public static String withTicket(String domainXml, String password, Instant validTo) {
        Document doc = parse(domainXml);
        Element graphics = spiceGraphics(doc);
        if (graphics == null) {
            throw new IllegalArgumentException("the domain has no SPICE graphics device");
        }
        graphics.setAttribute("passwd", password);
        graphics.setAttribute("passwdValidTo", VALID_TO.format(validTo.truncatedTo(ChronoUnit.SECONDS)));
        graphics.setAttribute("connected", "keep");
        return serialize(graphics);
    }

    /** {@code passwdValidTo} as libvirt writes it. */
    public static String validTo(Instant instant) {
        return VALID_TO.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    private static Element spiceGraphics(Document doc) {
        NodeList all = doc.getElementsByTagName("graphics");
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            Node parent = e.getParentNode();
            if ("spice".equals(e.getAttribute("type")) && parent != null && "devices".equals(parent.getNodeName())) {
                return e;
            }
        }
        return null;
    }

    private static Document parse(String xml) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setExpandEntityReferences(false);
            factory.setXIncludeAware(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(null);
            return builder.parse(new InputSource(new StringReader(xml)));
        } catch (ParserConfigurationException | SAXException | IOException e) {
            throw new IllegalArgumentException("virsh dumpxml gave no readable domain XML: " + e.getMessage(), e);
        }
    }

    private static String serialize(Element element) {
        try {
            TransformerFactory factory = TransformerFactory.newInstance();
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
            Transformer transformer = factory.newTransformer();
            transformer.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            StringWriter out = new StringWriter();
            transformer.transform(new DOMSource(element), new StreamResult(out));
            return out.toString().strip() + "\n";
        } catch (TransformerException e) {
            throw new IllegalStateException(e);
        }
    }
}
