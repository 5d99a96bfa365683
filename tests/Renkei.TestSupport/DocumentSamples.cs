namespace Renkei.TestSupport;

/// <summary>
/// Keeps a printed document a test made (e.g. for README's screenshots, converted with pdftoppm) in the directory
/// <c>RENKEI_SCREENSHOTS</c> names (relative to the repository root), when it is set; otherwise nothing is written.
/// Only documents of test data: never one with a real person's data.
/// </summary>
public static class DocumentSamples
{
    public static void Save(string name, byte[] pdf)
    {
        if (Environment.GetEnvironmentVariable("RENKEI_SCREENSHOTS") is not { Length: > 0 } configured) return;
        var directory = Path.IsPathRooted(configured) ? configured : Path.Combine(RepositoryFiles.Root, configured);
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, name + ".pdf"), pdf);
    }
}
