namespace Renkei.Infrastructure.Signing;

/// <summary>
/// Writes a key file once, atomically: the bytes go to a temporary file in the same directory (mode 600 for private
/// keys on Unix, created with that mode so the key is never readable by others, even briefly), are flushed to disk and
/// then moved into place without overwriting. When another process created the file first, its file wins and ours is
/// discarded, so everyone ends up with one key. Key directories are created with mode 700 (<see cref="PrivateFiles"/>). Shared by <see cref="SecretKeyFile"/>,
/// <see cref="Audit.AuditSigningKeyFile"/> and <see cref="InstitutionKeys"/>.
/// </summary>
public static class KeyFileWriter
{
    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> unless the file exists; true when this call created it.</summary>
    /// <param name="privateFile">true: readable and writable by the owner only (600); false: world-readable (644), for public keys</param>
    public static bool CreateNew(string path, ReadOnlySpan<byte> content, bool privateFile)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        PrivateFiles.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = privateFile
                ? PrivateFiles.FileMode
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }
        try
        {
            File.Move(temporary, path, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
            return false;
        }
    }
}
