package io.spicegate.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * An RGB picture for comparing what remote-viewer shows with what the VM shows: read from QEMU's screendump
 * (PPM, P6) or from Xvfb's frame buffer file ({@code -fbdir}: XWD, 24/32 bits per pixel).
 */
record Screen(int width, int height, int[] rgb) {

    /** A PNG (as {@code virsh screenshot} writes it with QEMU 7.2) or a binary PPM (QMP {@code screendump}'s default). */
    static Screen image(byte[] data) throws IOException {
        if (data.length > 8 && (data[0] & 0xff) == 0x89 && data[1] == 'P' && data[2] == 'N' && data[3] == 'G') {
            java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(data));
            int[] rgb = new int[png.getWidth() * png.getHeight()];
            for (int y = 0; y < png.getHeight(); y++) {
                for (int x = 0; x < png.getWidth(); x++) {
                    rgb[y * png.getWidth() + x] = png.getRGB(x, y) & 0xffffff;
                }
            }
            return new Screen(png.getWidth(), png.getHeight(), rgb);
        }
        return ppm(data);
    }

    /** A binary PPM (P6, maxval 255). */
    static Screen ppm(byte[] data) throws IOException {
        int[] pos = {0};
        String magic = token(data, pos);
        if (!magic.equals("P6")) {
            throw new IOException("not a P6 PPM: " + magic);
        }
        int width = Integer.parseInt(token(data, pos));
        int height = Integer.parseInt(token(data, pos));
        int max = Integer.parseInt(token(data, pos));
        if (max != 255) {
            throw new IOException("PPM maxval " + max + " not supported");
        }
        int offset = pos[0] + 1; // one whitespace byte after maxval
        int[] rgb = new int[width * height];
        for (int i = 0; i < rgb.length; i++) {
            int o = offset + 3 * i;
            rgb[i] = (data[o] & 0xff) << 16 | (data[o + 1] & 0xff) << 8 | (data[o + 2] & 0xff);
        }
        return new Screen(width, height, rgb);
    }

    /** An XWD file as Xvfb keeps its screen under {@code -fbdir} (header big-endian, pixels in {@code byte_order}). */
    static Screen xwd(byte[] data) throws IOException {
        ByteBuffer header = ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN);
        int headerSize = header.getInt(0);
        int version = header.getInt(4);
        if (version != 7) {
            throw new IOException("not an XWD file (version " + version + ")");
        }
        int width = header.getInt(16);
        int height = header.getInt(20);
        int byteOrder = header.getInt(28);
        int bitsPerPixel = header.getInt(44);
        int bytesPerLine = header.getInt(48);
        int redMask = header.getInt(56);
        int greenMask = header.getInt(60);
        int blueMask = header.getInt(64);
        int colors = header.getInt(76);
        int offset = headerSize + colors * 12;
        if (bitsPerPixel != 32 && bitsPerPixel != 24) {
            throw new IOException(bitsPerPixel + " bits per pixel not supported");
        }
        ByteBuffer pixels = ByteBuffer.wrap(data).order(byteOrder == 0 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        int bytes = bitsPerPixel / 8;
        int[] rgb = new int[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int o = offset + y * bytesPerLine + x * bytes;
                int p = bytes == 4 ? pixels.getInt(o)
                        : (byteOrder == 0 ? (data[o] & 0xff) | (data[o + 1] & 0xff) << 8 | (data[o + 2] & 0xff) << 16
                        : (data[o] & 0xff) << 16 | (data[o + 1] & 0xff) << 8 | (data[o + 2] & 0xff));
                rgb[y * width + x] = channel(p, redMask) << 16 | channel(p, greenMask) << 8 | channel(p, blueMask);
            }
        }
        return new Screen(width, height, rgb);
    }

    /** Writes the picture as a PNG (a record of what the test saw, under target/). */
    void writePng(java.nio.file.Path file) throws IOException {
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(width, height, java.awt.image.BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, width, height, rgb, 0, width);
        javax.imageio.ImageIO.write(image, "png", file.toFile());
    }

    /** Pixels that are not (near) black: a blank screen shows nothing to compare. */
    int lit() {
        int n = 0;
        for (int p : rgb) {
            if (!near(p, 0)) {
                n++;
            }
        }
        return n;
    }

    /**
     * Whether {@code picture} appears 1:1 somewhere in this screen: at one offset at least {@code share} of its
     * lit pixels (the text: a black area must not pass for a text screen) and of all its pixels are equal, per
     * channel within a small tolerance (a blinking cursor, a lossy encoder).
     */
    boolean shows(Screen picture, double share) {
        int[] lit = java.util.stream.IntStream.range(0, picture.rgb.length).filter(i -> !near(picture.rgb[i], 0)).toArray();
        if (lit.length == 0 || picture.width > width || picture.height > height) {
            return false;
        }
        int anchor = lit[0];
        int ax = anchor % picture.width;
        int ay = anchor / picture.width;
        int[] sample = new int[Math.min(2000, lit.length)];
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < sample.length; i++) {
            sample[i] = lit[random.nextInt(lit.length)];
        }
        for (int dy = 0; dy + picture.height <= height; dy++) {
            for (int dx = 0; dx + picture.width <= width; dx++) {
                if (!near(rgb[(dy + ay) * width + dx + ax], picture.rgb[anchor])) {
                    continue;
                }
                if (matching(picture, dx, dy, sample) < 0.9 * sample.length || matching(picture, dx, dy, lit) < share * lit.length) {
                    continue;
                }
                int all = 0;
                for (int i = 0; i < picture.rgb.length; i++) {
                    int x = i % picture.width;
                    int y = i / picture.width;
                    if (near(rgb[(dy + y) * width + dx + x], picture.rgb[i])) {
                        all++;
                    }
                }
                if (all >= share * picture.rgb.length) {
                    return true;
                }
            }
        }
        return false;
    }

    private int matching(Screen picture, int dx, int dy, int[] sample) {
        int n = 0;
        for (int i : sample) {
            int x = i % picture.width;
            int y = i / picture.width;
            if (near(rgb[(dy + y) * width + dx + x], picture.rgb[i])) {
                n++;
            }
        }
        return n;
    }

    private static boolean near(int a, int b) {
        for (int shift = 0; shift <= 16; shift += 8) {
            if (Math.abs((a >> shift & 0xff) - (b >> shift & 0xff)) > 24) {
                return false;
            }
        }
        return true;
    }

    private static int channel(int pixel, int mask) {
        if (mask == 0) {
            return 0;
        }
        int value = (pixel & mask) >>> Integer.numberOfTrailingZeros(mask);
        int bits = Integer.bitCount(mask);
        return bits >= 8 ? value >> (bits - 8) : value << (8 - bits);
    }

    private static String token(byte[] data, int[] pos) {
        while (Character.isWhitespace(data[pos[0]]) || data[pos[0]] == '#') {
            if (data[pos[0]] == '#') {
                while (data[pos[0]] != '\n') {
                    pos[0]++;
                }
            }
            pos[0]++;
        }
        int start = pos[0];
        while (!Character.isWhitespace(data[pos[0]])) {
            pos[0]++;
        }
        return new String(data, start, pos[0] - start, StandardCharsets.US_ASCII);
    }
}
