using PdfSharp.Fonts;

namespace Renkei.Documents;

/// <summary>
/// The Japanese fonts printed documents use: IPAex ゴシック (ipaexg.ttf) and IPAex 明朝 (ipaexm.ttf), plain TrueType files
/// from Debian's fonts-ipaexfont, embedded (subset) in every PDF. They are looked for under <see cref="Directory"/>
/// (environment variable <see cref="DirectoryVariable"/>, default <see cref="DefaultDirectory"/>), in any subdirectory.
/// </summary>
public static class DocumentFonts
{
    /// <summary>The environment variable naming the font directory (e.g. a copy of the IPAex files).</summary>
    public const string DirectoryVariable = "RENKEI_FONT_DIRECTORY";

    /// <summary>Where Debian installs fonts-ipaexfont (under opentype/ipaexfont-gothic and opentype/ipaexfont-mincho).</summary>
    public const string DefaultDirectory = "/usr/share/fonts";

    /// <summary>Body text and tables.</summary>
    public const string Gothic = "IPAexGothic";

    /// <summary>Titles and the issuer.</summary>
    public const string Mincho = "IPAexMincho";

    private static readonly Dictionary<string, string> Files = new(StringComparer.Ordinal)
    {
        [Gothic] = "ipaexg.ttf",
        [Mincho] = "ipaexm.ttf",
    };

    private static readonly Lock Gate = new();
    private static bool _installed;

    /// <summary>The directory searched: <see cref="DirectoryVariable"/> when set, else <see cref="DefaultDirectory"/>.</summary>
    public static string Directory =>
        Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } configured ? configured : DefaultDirectory;

    /// <summary>The font files' paths, or the exception that says what is missing and how to install it.</summary>
    /// <exception cref="DocumentFontMissingException">a file is not found under <see cref="Directory"/>.</exception>
    public static IReadOnlyDictionary<string, string> Locate()
    {
        var directory = Directory;
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (family, file) in Files)
        {
            var path = System.IO.Directory.Exists(directory)
                ? System.IO.Directory.EnumerateFiles(directory, file, SearchOption.AllDirectories).Order(StringComparer.Ordinal).FirstOrDefault()
                : null;
            found[family] = path ?? throw new DocumentFontMissingException(file, directory);
        }
        return found;
    }

    /// <summary>Whether the fonts are there (for a setup check that prints its own message).</summary>
    public static bool Available()
    {
        try
        {
            Locate();
            return true;
        }
        catch (DocumentFontMissingException)
        {
            return false;
        }
    }

    /// <summary>Sets PDFsharp's font resolver once per process (PDFsharp keeps one, process-wide).</summary>
    internal static void Install()
    {
        lock (Gate)
        {
            if (_installed) return;
            var paths = Locate();
            GlobalFontSettings.FontResolver = new Resolver(paths);
            _installed = true;
        }
    }

    /// <summary>Resolves the two families (bold is simulated: IPAex has one weight) and reads their files once.</summary>
    private sealed class Resolver(IReadOnlyDictionary<string, string> paths) : IFontResolver
    {
        private readonly Dictionary<string, byte[]> _bytes = new(StringComparer.Ordinal);

        public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic)
        {
            var family = paths.ContainsKey(familyName) ? familyName : Gothic;
            return new FontResolverInfo(family, bold, italic);
        }

        public byte[]? GetFont(string faceName)
        {
            lock (_bytes)
            {
                if (!_bytes.TryGetValue(faceName, out var bytes))
                    _bytes[faceName] = bytes = File.ReadAllBytes(paths[faceName]);
                return bytes;
            }
        }
    }
}

/// <summary>The Japanese font for printed documents is not installed (or not where <see cref="DocumentFonts.Directory"/> says).</summary>
public sealed class DocumentFontMissingException(string file, string directory) : Exception(
    $"日本語フォント {file} が {directory} に見つかりません。fonts-ipaexfont をインストールするか、環境変数 {DocumentFonts.DirectoryVariable} にフォントのディレクトリを設定してください"
    + $" (the Japanese font {file} was not found under {directory}; install fonts-ipaexfont or set {DocumentFonts.DirectoryVariable})")
{
    /// <summary>Stable code for programs.</summary>
    public const string Code = "document-font-missing";

    /// <summary>What a clerk is told when a certificate cannot be made for want of the font.</summary>
    public const string CertificateMessage = "日本語フォントが導入されていないため、証明書を作成できません。システム管理者に連絡してください。";
}
