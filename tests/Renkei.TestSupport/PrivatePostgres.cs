using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Renkei.TestSupport;

/// <summary>
/// A PostgreSQL cluster of one test's own (scripts/postgres-for-tests on a free port and a temporary directory), for drills that
/// stop and start the server: the shared test server must never go down under the other tests.
/// </summary>
public sealed class PrivatePostgres : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "renkei-pg-drill-" + Guid.NewGuid().ToString("N"));
    private readonly int _port;

    private PrivatePostgres(int port) => _port = port;

    /// <summary>The server's admin connection string (user renkei, database postgres).</summary>
    public string ConnectionString { get; private set; } = "";

    public static PrivatePostgres Start()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var server = new PrivatePostgres(((IPEndPoint)listener.LocalEndpoint).Port);
        listener.Stop();
        server.ConnectionString = server.Run("start").Trim();
        return server;
    }

    /// <summary>
    /// Starts a streaming replica of this server (pg_basebackup -R -X stream with a replication slot, as docs/deployment.md
    /// shows) and returns its connection string; it stops with the server.
    /// </summary>
    public string StartReplica()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        _replicaPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return Run("replica").Trim();
    }

    private int? _replicaPort;

    /// <summary>Stops the server at once (<c>pg_ctl stop -m fast</c>: open connections are cut).</summary>
    public void Stop() => Run("stop");

    /// <summary>Starts it again on the same port and data.</summary>
    public void Restart() => Run("start");

    private string Run(string verb)
    {
        var info = new ProcessStartInfo(RepositoryFiles.Path("scripts", "postgres-for-tests"))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        info.ArgumentList.Add(verb);
        info.Environment["RENKEI_PG_PORT"] = _port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["RENKEI_PG_DIR"] = _directory;
        info.Environment["RENKEI_PG_REPLICA_DIR"] = _directory + "-replica";
        if (_replicaPort is { } replicaPort) info.Environment["RENKEI_PG_REPLICA_PORT"] = replicaPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2))) throw new TimeoutException($"postgres-for-tests {verb} did not finish");
        if (process.ExitCode != 0) throw new InvalidOperationException($"postgres-for-tests {verb} failed: {errors.Result}");
        return output.Result;
    }

    public void Dispose()
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        try { Run("stop"); } catch (Exception e) when (e is InvalidOperationException or TimeoutException) { }
        foreach (var directory in new[] { _directory, _directory + "-replica" })
            try { if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
