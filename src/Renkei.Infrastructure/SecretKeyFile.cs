using System.Security.Cryptography;

namespace Renkei.Infrastructure;

/// <summary>
/// A secret key kept in its own file, created with random bytes on first use and readable only by
/// its owner. Keys never live in code or configuration files, and are never printed.
/// </summary>
public static class SecretKeyFile
{
    public static byte[] LoadOrCreate(string path, int length = 32)
    {
        if (File.Exists(path)) return Load(path, length);

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var key = RandomNumberGenerator.GetBytes(length);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(key);
            stream.Flush(flushToDisk: true);
        }
        try
        {
            File.Move(temporary, path, overwrite: false);
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first: use theirs, so both derive the same numbers.
            File.Delete(temporary);
            return Load(path, length);
        }
    }

    private static byte[] Load(string path, int length)
    {
        var key = File.ReadAllBytes(path);
        if (key.Length != length)
            throw new InvalidDataException($"key file {Path.GetFileName(path)} holds {key.Length} bytes, expected {length}");
        return key;
    }
}
