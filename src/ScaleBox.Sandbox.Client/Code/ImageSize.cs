using System;

namespace ScaleBox.Sandbox.Client.Code;

/// <summary>The pixel size of a base64 PNG or JPEG, read from its header, for a one-line description.</summary>
internal static class ImageSize
{
    public static (int Width, int Height)? OfPng(string base64)
    {
        byte[] head;
        try
        {
            head = Convert.FromBase64String(base64.Substring(0, Math.Min(base64.Length, 32)));
        }
        catch (FormatException)
        {
            return null;
        }
        // Signature (8 bytes), IHDR length and type (8), then width and height, big-endian.
        if (head.Length < 24 || head[1] != (byte)'P' || head[2] != (byte)'N' || head[3] != (byte)'G')
        {
            return null;
        }
        return (BigEndian(head, 16), BigEndian(head, 20));
    }

    public static (int Width, int Height)? OfJpeg(string base64)
    {
        byte[] data;
        try
        {
            data = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            return null;
        }
        // Walk the segments to the first start-of-frame marker (C0..CF but C4, C8, CC).
        int i = 2;
        while (i + 9 < data.Length && data[i] == 0xFF)
        {
            byte marker = data[i + 1];
            int length = (data[i + 2] << 8) | data[i + 3];
            if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC)
            {
                return ((data[i + 7] << 8) | data[i + 8], (data[i + 5] << 8) | data[i + 6]);
            }
            i += 2 + length;
        }
        return null;
    }

    static int BigEndian(byte[] bytes, int at) => (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
}
