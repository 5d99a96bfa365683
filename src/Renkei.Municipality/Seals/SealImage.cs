using System.Buffers.Binary;
using Renkei.Municipality.Registry;

namespace Renkei.Municipality.Seals;

/// <summary>The stored format of a seal image.</summary>
public enum SealImageType
{
    Png,
    Jpeg,
}

/// <summary>
/// A seal impression (印影) as scanned at the counter: a PNG or JPEG of at most <see cref="MaxBytes"/> bytes, whose pixel size
/// is read from the file itself (not from what the upload claims), and the length of the impression's longer side as the
/// clerk measured it on the 印鑑登録申請書 (<see cref="MinSideMillimetres"/> … <see cref="MaxSideMillimetres"/> mm: 印鑑条例
/// refuses a seal that fits in an 8 mm square or does not fit in a 25 mm one). The certificate prints it at that size.
/// </summary>
public sealed record SealImage
{
    public const int MaxBytes = 200 * 1024;
    public const int MinSideMillimetres = 8;
    public const int MaxSideMillimetres = 25;

    /// <summary>Pixel limits: a scan smaller than this cannot show the impression; larger is not a seal scan.</summary>
    public const int MinPixels = 32;
    public const int MaxPixels = 4000;

    public const string TooLarge = "seal-image-too-large";
    public const string NotAnImage = "seal-image-not-png-or-jpeg";
    public const string Empty = "seal-image-missing";
    public const string PixelsOutOfRange = "seal-image-pixels-out-of-range";
    public const string SideOutOfRange = "seal-size-out-of-range";

    private SealImage(byte[] bytes, SealImageType type, int width, int height, int side) =>
        (Bytes, Type, PixelWidth, PixelHeight, SideMillimetres) = (bytes, type, width, height, side);

    public byte[] Bytes { get; }
    public SealImageType Type { get; }
    public int PixelWidth { get; }
    public int PixelHeight { get; }
    public int SideMillimetres { get; }

    public string ContentType => Type == SealImageType.Png ? "image/png" : "image/jpeg";

    /// <summary>Checks an uploaded image and the measured side; the message names the field and the rule, never the content.</summary>
    /// <exception cref="RegisterException">empty, too large, not a PNG or JPEG, pixel size out of range, side out of range.</exception>
    public static SealImage Parse(byte[]? bytes, int sideMillimetres)
    {
        if (bytes is null || bytes.Length == 0)
            throw new RegisterException(Empty, "image: no seal image was given (印影の画像がありません)");
        if (bytes.Length > MaxBytes)
            throw new RegisterException(TooLarge, $"image: larger than {MaxBytes / 1024} KB (印影の画像は{MaxBytes / 1024}KB以下にしてください)");
        var (type, size) = Png(bytes) is { } png ? (SealImageType.Png, png)
            : Jpeg(bytes) is { } jpeg ? (SealImageType.Jpeg, jpeg)
            : throw new RegisterException(NotAnImage, "image: not a PNG or JPEG image (印影の画像はPNG又はJPEG形式にしてください)");
        if (size.Width is < MinPixels or > MaxPixels || size.Height is < MinPixels or > MaxPixels)
            throw new RegisterException(PixelsOutOfRange,
                $"image: each side must be {MinPixels} to {MaxPixels} pixels (印影の画像の縦横は{MinPixels}から{MaxPixels}画素にしてください)");
        if (sideMillimetres is < MinSideMillimetres or > MaxSideMillimetres)
            throw new RegisterException(SideOutOfRange,
                $"sideMillimetres: the impression must measure {MinSideMillimetres} to {MaxSideMillimetres} mm (印影の大きさは一辺{MinSideMillimetres}ミリメートルから{MaxSideMillimetres}ミリメートルまでです)");
        return new SealImage(bytes.ToArray(), type, size.Width, size.Height, sideMillimetres);
    }

    /// <summary>
    /// An upload's bytes, read up to one byte past <see cref="MaxBytes"/>: a larger file is then refused by <see cref="Parse"/>
    /// without being read whole.
    /// </summary>
    public static async Task<byte[]> ReadAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = new byte[MaxBytes + 1];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false)) > 0) read += n;
        return buffer[..read];
    }

    /// <summary>A stored image, checked when it was registered.</summary>
    internal static SealImage FromStored(byte[] bytes, string type, int sideMillimetres)
    {
        var parsed = type == "png" ? Png(bytes) : Jpeg(bytes);
        var size = parsed ?? (0, 0);
        return new SealImage(bytes, type == "png" ? SealImageType.Png : SealImageType.Jpeg, size.Width, size.Height, sideMillimetres);
    }

    internal string TypeCode => Type == SealImageType.Png ? "png" : "jpeg";

    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The size from a PNG's IHDR chunk, which must come first.</summary>
    private static (int Width, int Height)? Png(byte[] bytes)
    {
        var span = bytes.AsSpan();
        if (span.Length < 33 || !span[..8].SequenceEqual(PngSignature) || !span.Slice(12, 4).SequenceEqual("IHDR"u8)) return null;
        var width = BinaryPrimitives.ReadUInt32BigEndian(span.Slice(16, 4));
        var height = BinaryPrimitives.ReadUInt32BigEndian(span.Slice(20, 4));
        return width > int.MaxValue || height > int.MaxValue ? null : ((int)width, (int)height);
    }

    /// <summary>The size from a JPEG's first start-of-frame marker (SOF0–SOF15 except DHT, JPG and DAC), walking the segments.</summary>
    private static (int Width, int Height)? Jpeg(byte[] bytes)
    {
        var span = bytes.AsSpan();
        if (span.Length < 4 || span[0] != 0xFF || span[1] != 0xD8) return null;
        var i = 2;
        while (i + 4 <= span.Length)
        {
            if (span[i] != 0xFF) return null;
            var marker = span[i + 1];
            if (marker == 0xFF) { i++; continue; }
            if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7)) { i += 2; continue; }
            if (marker is 0xD9 or 0xDA) return null; // end of image or scan before any frame header
            var length = BinaryPrimitives.ReadUInt16BigEndian(span.Slice(i + 2, 2));
            if (length < 2 || i + 2 + length > span.Length) return null;
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (length < 7) return null;
                var height = BinaryPrimitives.ReadUInt16BigEndian(span.Slice(i + 5, 2));
                var width = BinaryPrimitives.ReadUInt16BigEndian(span.Slice(i + 7, 2));
                return (width, height);
            }
            i += 2 + length;
        }
        return null;
    }
}
