package io.spicegate.security;

import org.ccil.cowan.tagsoup.Parser;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The forms of an HTML page, parsed as a browser would (TagSoup), with the values a browser would submit. */
final class Forms {

    /** One form: its method and action, and its fields (name → value) as they would be submitted. */
    record Form(String page, String method, String action, Map<String, String> fields, int csrfFields) {

        String csrf() {
            return fields.get("csrf");
        }

        @Override
        public String toString() {
            return method + " " + action + " on " + page;
        }
    }

    private Forms() {
    }

    static List<Form> of(String page, String html) {
        List<Form> forms = new ArrayList<>();
        DefaultHandler handler = new DefaultHandler() {
            String method;
            String action;
            Map<String, String> fields;
            int csrf;
            String select;
            String firstOption;
            boolean selected;
            String textarea;
            StringBuilder text;

            @Override
            public void startElement(String uri, String local, String qName, Attributes a) {
                String tag = local.toLowerCase(Locale.ROOT);
                switch (tag) {
                    case "form" -> {
                        method = a.getValue("method") == null ? "get" : a.getValue("method").toLowerCase(Locale.ROOT);
                        action = a.getValue("action");
                        fields = new LinkedHashMap<>();
                        csrf = 0;
                    }
                    case "input" -> {
                        if (fields == null || a.getValue("name") == null) {
                            return;
                        }
                        String type = a.getValue("type") == null ? "text" : a.getValue("type").toLowerCase(Locale.ROOT);
                        if ((type.equals("checkbox") || type.equals("radio")) && a.getValue("checked") == null) {
                            return;
                        }
                        if (type.equals("submit") || type.equals("button")) {
                            return;
                        }
                        String v = a.getValue("value");
                        if (type.equals("checkbox") && v == null) {
                            v = "on";
                        }
                        if (a.getValue("name").equals("csrf") && type.equals("hidden")) {
                            csrf++;
                        }
                        fields.putIfAbsent(a.getValue("name"), v == null ? "" : v);
                    }
                    case "select" -> {
                        select = a.getValue("name");
                        firstOption = null;
                        selected = false;
                    }
                    case "option" -> {
                        if (fields == null || select == null) {
                            return;
                        }
                        String v = a.getValue("value") == null ? "" : a.getValue("value");
                        if (firstOption == null) {
                            firstOption = v;
                        }
                        if (a.getValue("selected") != null && !selected) {
                            selected = true;
                            fields.put(select, v);
                        }
                    }
                    case "textarea" -> {
                        textarea = a.getValue("name");
                        text = new StringBuilder();
                    }
                    default -> { }
                }
            }

            @Override
            public void characters(char[] ch, int start, int length) {
                if (text != null) {
                    text.append(ch, start, length);
                }
            }

            @Override
            public void endElement(String uri, String local, String qName) {
                String tag = local.toLowerCase(Locale.ROOT);
                switch (tag) {
                    case "select" -> {
                        if (fields != null && select != null && !selected && firstOption != null) {
                            fields.put(select, firstOption);
                        }
                        select = null;
                    }
                    case "textarea" -> {
                        if (fields != null && textarea != null) {
                            fields.putIfAbsent(textarea, text.toString());
                        }
                        textarea = null;
                        text = null;
                    }
                    case "form" -> {
                        if (fields != null) {
                            forms.add(new Form(page, method, action, fields, csrf));
                        }
                        fields = null;
                    }
                    default -> { }
                }
            }
        };
        Parser parser = new Parser();
        parser.setContentHandler(handler);
        try {
            parser.parse(new InputSource(new StringReader(html)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SAXException e) {
            throw new IllegalStateException(page + " is not parseable: " + e.getMessage(), e);
        }
        return forms;
    }
}
