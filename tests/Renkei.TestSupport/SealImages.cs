using System.Buffers.Binary;
using System.IO.Compression;

namespace Renkei.TestSupport;

/// <summary>Seal impressions (印影) for tests: a red ring with a cross inside, as a real PNG (8-bit RGB, zlib-compressed).</summary>
public static class SealImages
{
    /// <summary>A square PNG of <paramref name="pixels"/> × <paramref name="pixels"/>.</summary>
    public static byte[] Png(int pixels = 120)
    {
        var raw = new byte[pixels * (1 + pixels * 3)];
        var centre = (pixels - 1) / 2.0;
        for (var y = 0; y < pixels; y++)
        {
            var row = y * (1 + pixels * 3);
            raw[row] = 0; // filter: none
            for (var x = 0; x < pixels; x++)
            {
                var r = Math.Sqrt((x - centre) * (x - centre) + (y - centre) * (y - centre));
                var ink = (r > pixels * 0.40 && r < pixels * 0.47) || (r < pixels * 0.35 && (Math.Abs(x - centre) < pixels * 0.04 || Math.Abs(y - centre) < pixels * 0.04));
                var o = row + 1 + x * 3;
                (raw[o], raw[o + 1], raw[o + 2]) = ink ? ((byte)200, (byte)20, (byte)30) : ((byte)255, (byte)255, (byte)255);
            }
        }
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(raw);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, pixels);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), pixels);
        (header[8], header[9], header[10], header[11], header[12]) = (8, 2, 0, 0, 0);
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream stream, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        stream.Write(length);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        stream.Write(typeBytes);
        stream.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(length, Crc32([.. typeBytes, .. data]));
        stream.Write(length);
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
