using System.Text.Json;
using Renkei.Infrastructure;
using Renkei.Jlis;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests.Schema;

/// <summary>
/// <c>renkei db migrate --role …</c> through the real program, on J-LIS's database as the previous release left it: the
/// data directory's SQLite file, or the PostgreSQL database J-LIS's configuration file names (here from the environment,
/// <c>Jlis__Database</c>, overriding the file's).
/// </summary>
public sealed class DbMigrateCommandTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    public static TheoryData<string> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Lists_what_is_pending_applies_it_and_then_has_nothing_to_do(string provider)
    {
        using var postgres = provider == "postgres" ? TestDatabase.CreatePostgres() : null;
        var database = postgres?.Database ?? new DataLayout(new DirectoryInfo(_data.Path)).JlisDatabase();
        var environment = postgres is null ? new Dictionary<string, string>() : new() { ["Jlis__Database"] = "postgres:" + database.ConnectionString };
        var config = Path.Combine(_data.Path, "jlis.json");
        File.WriteAllText(config, "{ \"Jlis\": { \"Database\": \"sqlite:" + Path.Combine(_data.Path, "not-this.db").Replace("\\", "/") + "\" } }");
        string[] from = postgres is null ? [] : ["--config", config];
        PreviousRelease.Jlis(database);
        string[] scripts = ["0001-initial.sql", "0002-card-events-by-application.sql", "0003-paper-signing-ca.sql"];

        var list = await CliProcess.RunAsync(_data.Path, environment, ["db", "migrate", "--role", "jlis", "--list", .. from]);
        Assert.True(list.ExitCode == 0, list.StandardOutput + list.StandardError);
        Assert.Contains("jlis: pending " + string.Join(", ", scripts), list.StandardOutput);
        Assert.Equal(scripts, Migrations.Pending(database, JlisSchema.Tables)); // --list changed nothing

        var migrate = await CliProcess.RunAsync(_data.Path, environment, ["db", "migrate", "--role", "jlis", .. from]);
        Assert.True(migrate.ExitCode == 0, migrate.StandardOutput + migrate.StandardError);
        Assert.Contains("jlis: applied " + string.Join(", ", scripts), migrate.StandardOutput);
        Assert.Equal(scripts, Migrations.Applied(database, JlisSchema.Tables));

        var again = await CliProcess.RunAsync(_data.Path, environment, ["db", "migrate", "--role", "jlis", "--json", .. from]);
        Assert.Equal(0, again.ExitCode);
        var report = JsonDocument.Parse(again.StandardOutput).RootElement.EnumerateArray().Single();
        Assert.Equal("jlis", report.GetProperty("component").GetString());
        Assert.Empty(report.GetProperty("applied").EnumerateArray());
        Assert.Empty(report.GetProperty("pending").EnumerateArray());
        Assert.False(File.Exists(Path.Combine(_data.Path, "not-this.db")), "the environment's database, not the file's");
    }

    [Fact]
    public async Task A_role_without_a_database_here_is_a_usage_error_that_creates_nothing()
    {
        var none = await CliProcess.RunAsync(_data.Path, "db", "migrate", "--role", "municipality");
        var portal = await CliProcess.RunAsync(_data.Path, "db", "migrate", "--role", "portal");

        Assert.Equal(2, none.ExitCode);
        Assert.Contains("no municipality database under", none.StandardError);
        Assert.Equal(2, portal.ExitCode);
        Assert.Contains("keeps no database", portal.StandardError);
        Assert.Empty(Directory.GetFileSystemEntries(_data.Path));
    }
}
