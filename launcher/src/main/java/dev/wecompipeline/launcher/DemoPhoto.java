package dev.wecompipeline.launcher;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import javax.imageio.ImageIO;

/** The demo's photo: a small PNG drawn here (a sunset over the sea), so the demo needs no files. */
final class DemoPhoto {

    private DemoPhoto() {
    }

    static byte[] png() {
        BufferedImage image = new BufferedImage(96, 64, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(new Color(0xFF, 0x9E, 0x5E));
            g.fillRect(0, 0, 96, 40);
            g.setColor(new Color(0xFF, 0xD2, 0x3F));
            g.fillOval(34, 22, 28, 28);
            g.setColor(new Color(0x1F, 0x5F, 0x9F));
            g.fillRect(0, 40, 96, 24);
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
