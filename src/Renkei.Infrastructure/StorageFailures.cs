using Microsoft.Data.Sqlite;
using Npgsql;

namespace Renkei.Infrastructure;

/// <summary>
/// Failures that mean the service cannot write at all — its disk is full or read-only — as opposed to a fault of one request:
/// SQLite's SQLITE_FULL, SQLITE_READONLY and SQLITE_IOERR, PostgreSQL's disk_full (53100) and read_only_sql_transaction
/// (25006), and an operating system's "no space left on device". The transaction that met one rolled back, so nothing was
/// half-written; the service answers 503 <c>storage-unavailable</c> and reports itself not ready until it can write again.
/// </summary>
public static class StorageFailures
{
    private const int SqliteFull = 13, SqliteReadOnly = 8, SqliteIoError = 10;
    private const int NoSpaceLeftOnDevice = 28; // ENOSPC

    public static bool IsStorageFailure(Exception? failure)
    {
        for (var e = failure; e is not null; e = e.InnerException)
            switch (e)
            {
                case SqliteException sqlite when sqlite.SqliteErrorCode is SqliteFull or SqliteReadOnly or SqliteIoError:
                case PostgresException { SqlState: "53100" or "25006" }:
                case IOException io when (io.HResult & 0xFFFF) == NoSpaceLeftOnDevice:
                    return true;
            }
        return false;
    }

    /// <summary>Free bytes on the file system that holds <paramref name="path"/>, or null when it cannot be told.</summary>
    public static long? FreeBytes(string path)
    {
        try
        {
            var directory = Directory.Exists(path) ? path : Path.GetDirectoryName(Path.GetFullPath(path));
            return directory is null ? null : new DriveInfo(directory).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}
