using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Renkei.Core.Crypto;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.Network.Contracts;
using Renkei.ServiceDefaults;
using Renkei.ServiceDefaults.Tls;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests.Deployment;

/// <summary>
/// docs/deployment.md "Several network instances behind HAProxy", started as written: two <c>renkei serve --role network
/// --instance</c> processes on one PostgreSQL database (a primary of the test's own with a streaming replica made by
/// pg_basebackup as the page shows), HAProxy (its configuration read from the page) in front with its health checks. J-LIS's requests through the balancer reach both instances, a request id is answered once whichever
/// instance receives it, and an instance killed with SIGKILL in the middle of requests loses and doubles nothing.
/// </summary>
public sealed partial class NetworkInstancesTests : IDisposable
{
    private const string JlisCode = "JLIS00";
    private const string PortalCode = "PORTAL";

    private readonly TempDirectory _root = new();
    private readonly OwnedProcesses _processes = new();

    public void Dispose()
    {
        _processes.Dispose();
        _root.Dispose();
    }

    private string InRoot(params string[] parts) => Path.Combine([_root.Path, .. parts]);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The page's haproxy.cfg, with free ports in place of the documented 7400, 7410 and 7411.</summary>
    private static string DocumentedHaproxyConfig(int balancer, int a, int b)
    {
        var page = File.ReadAllText(RepositoryFiles.Path("docs", "deployment.md")).ReplaceLineEndings("\n");
        var config = HaproxyBlock().Match(page);
        Assert.True(config.Success, "docs/deployment.md shows no ```haproxy block");
        return config.Groups["body"].Value
            .Replace("127.0.0.1:7400", $"127.0.0.1:{balancer}", StringComparison.Ordinal)
            .Replace("127.0.0.1:7410", $"127.0.0.1:{a}", StringComparison.Ordinal)
            .Replace("127.0.0.1:7411", $"127.0.0.1:{b}", StringComparison.Ordinal) + "\n";
    }

    [GeneratedRegex("```haproxy\n(?<body>.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex HaproxyBlock();

    [GeneratedRegex(@"\[(?<instance>[a-z0-9-]+)\]: listening on https://127\.0\.0\.1:\d+/")]
    private static partial Regex ListeningOn();

    /// <summary><c>renkei serve --role network --config network.json --instance NAME</c> with the port from the environment, as the page shows.</summary>
    private async Task<Process> ServeInstanceAsync(string instance, int port)
    {
        var info = CliProcess.StartInfo(InRoot("data"), "serve", "--role", "network", "--config", InRoot("network.json"), "--instance", instance);
        info.WorkingDirectory = _root.Path;
        info.Environment["Serve__Listen__Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var process = Process.Start(info)!;
        _processes.Add(process);
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync(deadline.Token);
            if (line is null) Assert.Fail($"instance {instance} ended: {await errors}");
            if (ListeningOn().Match(line) is { Success: true } match)
            {
                Assert.Equal(instance, match.Groups["instance"].Value);
                return process;
            }
        }
    }

    private Process StartHaproxy(string config)
    {
        File.WriteAllText(InRoot("haproxy.cfg"), config);
        var info = new ProcessStartInfo("haproxy") { WorkingDirectory = _root.Path, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-f", "haproxy.cfg", "-db" }) info.ArgumentList.Add(argument);
        var process = Process.Start(info) ?? throw new InvalidOperationException("haproxy did not start");
        _processes.Add(process);
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    /// <summary>The instance that answers <c>/health/ready</c> on a new connection through the balancer, or null when none does.</summary>
    private static async Task<string?> InstanceBehindAsync(MutualTls tls, Uri balancer)
    {
        using var http = new HttpClient(tls.CreateHandler()) { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync(new Uri(balancer, "health/ready"));
            return response.StatusCode == HttpStatusCode.OK && response.Headers.TryGetValues(ServiceInstance.Header, out var names) ? names.Single() : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>Asks for a token as J-LIS through the balancer, sending the same request again while the connection breaks (a killed instance).</summary>
    private static async Task<IssueTokenResponse> IssueWithRetriesAsync(MutualTls tls, InstitutionKeys jlis, Uri balancer, IssueTokenRequest request)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var http = new HttpClient(new SigningHandler(JlisCode, jlis.Signing, NodeRoutes.NetworkInstitutionCode) { InnerHandler = tls.CreateHandler() })
            {
                BaseAddress = balancer, Timeout = TimeSpan.FromSeconds(10),
            };
            try
            {
                return await new NetworkHttpClient(http).IssueTokenAsync(request);
            }
            catch (Exception e) when (attempt < 10 && e is HttpRequestException or TaskCanceledException or IOException
                                      || attempt < 10 && e is NetworkException { Status: HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable })
            {
                await Task.Delay(TimeSpan.FromMilliseconds(300));
            }
        }
    }

    [Fact]
    public async Task Two_instances_behind_haproxy_share_the_work_and_one_killed_mid_requests_loses_and_doubles_nothing()
    {
        // A PostgreSQL primary of the test's own with a streaming replica, as the page sets them up.
        using var server = PrivatePostgres.Start();
        var replica = server.StartReplica();
        using var database = TestDatabase.CreatePostgres(server.ConnectionString);
        var init = await CliProcess.RunAsync(InRoot("data"), "pki", "init", "--out", InRoot("pki"), "--node", "network", "--node", "jlis",
            "--host", "127.0.0.1", "--host", "localhost", "--log-key", InRoot("keys", "network"));
        Assert.True(init.ExitCode == 0, init.StandardError);
        using var jlis = InstitutionKeys.LoadOrCreate(InRoot("keys", "jlis"));
        using var portal = InstitutionKeys.LoadOrCreate(InRoot("keys", "portal"));
        var (balancerPort, portA, portB) = (FreePort(), FreePort(), FreePort());
        JsonObject Registered(string code, string name, string kind, InstitutionKeys keys) => new()
        {
            ["Code"] = code, ["Name"] = name, ["Class"] = kind, ["SigningPublicKey"] = keys.SigningPublicKey, ["SealingPublicKey"] = keys.SealingPublicKey,
        };
        var networkJson = new JsonObject
        {
            ["Network"] = new JsonObject
            {
                ["Database"] = "postgres:" + database.Database.ConnectionString, ["KeyDirectory"] = "keys/network",
                ["Institutions"] = new JsonArray(Registered(JlisCode, "地方公共団体情報システム機構", "NumberingAuthority", jlis), Registered(PortalCode, "マイナポータル", "Portal", portal)),
            },
            ["Serve"] = new JsonObject
            {
                ["Listen"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = balancerPort },
                ["Tls"] = new JsonObject { ["Certificate"] = "pki/network.pem", ["Key"] = "pki/network.key", ["Authority"] = "pki/ca.pem" },
            },
        };
        await File.WriteAllTextAsync(InRoot("network.json"), networkJson.ToJsonString());

        var instanceA = await ServeInstanceAsync("a", portA);
        await ServeInstanceAsync("b", portB);
        StartHaproxy(DocumentedHaproxyConfig(balancerPort, portA, portB));
        var balancer = new Uri($"https://127.0.0.1:{balancerPort}/");
        using var tls = MutualTls.Load(InRoot("pki", "jlis.pem"), InRoot("pki", "jlis.key"), InRoot("pki", "ca.pem"));

        // Both instances answer through the balancer once its health checks pass (round robin per connection).
        var seen = new HashSet<string>();
        using (var ready = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            while (seen.Count < 2)
            {
                ready.Token.ThrowIfCancellationRequested();
                if (await InstanceBehindAsync(tls, balancer) is { } name) seen.Add(name);
                else await Task.Delay(200, ready.Token);
            }
        Assert.Equal(["a", "b"], seen.Order());

        // One request id sent on several connections (so to both instances) is answered once: the same sealed token each time.
        var once = new IssueTokenRequest(Guid.NewGuid(), PortalCode, ResidentCode.FromBody(5_100_000_000L));
        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => IssueWithRetriesAsync(tls, jlis, balancer, once)));
        Assert.Single(answers.Select(a => a.SealedToken!.Ciphertext).Distinct());

        // 120 people's tokens, 8 at a time; instance a is killed with SIGKILL after the first 30 have been answered.
        var requests = Enumerable.Range(1, 120).Select(i => new IssueTokenRequest(Guid.NewGuid(), PortalCode, ResidentCode.FromBody(5_100_000_000L + i * 7919L))).ToList();
        var answered = new ConcurrentDictionary<Guid, IssueTokenResponse>();
        var killed = new TaskCompletionSource();
        var queue = new ConcurrentQueue<IssueTokenRequest>(requests);
        var workers = Enumerable.Range(0, 8).Select(async _ =>
        {
            while (queue.TryDequeue(out var request))
            {
                answered[request.RequestId] = await IssueWithRetriesAsync(tls, jlis, balancer, request);
                if (answered.Count >= 30 && killed.TrySetResult()) instanceA.Kill(); // SIGKILL: no shutdown, connections cut mid-request
            }
        }).ToList();
        await Task.WhenAll(workers);
        Assert.True(killed.Task.IsCompleted, "instance a was killed during the requests");
        Assert.Equal(requests.Count, answered.Count);
        Assert.All(answered.Values, a => Assert.False(a.Delivered));

        // Only b is left behind the balancer, and the database holds each request and each person's issuance exactly once.
        Assert.Equal("b", await InstanceBehindAsync(tls, balancer));
        await using var connection = await database.Database.OpenAsync();
        Assert.Equal(requests.Count + 1L, connection.Command("SELECT COUNT(*) FROM net_requests").ScalarInt64());
        Assert.Equal(0L, connection.Command("SELECT COUNT(*) FROM net_requests WHERE response IS NULL").ScalarInt64());
        Assert.Equal(requests.Count + 1L, connection.Command("SELECT COUNT(*) FROM net_token_issuance WHERE institution = 'PORTAL'").ScalarInt64());

        // A request answered before the kill, sent again now, still gets its first answer (from b, out of the database).
        var first = requests[0];
        var again = await IssueWithRetriesAsync(tls, jlis, balancer, first);
        Assert.Equal(answered[first.RequestId].SealedToken!.Ciphertext, again.SealedToken!.Ciphertext);

        // The replica streams from the primary and holds the same requests (read-only, a hot standby).
        Assert.Equal("streaming", (string?)connection.Command("SELECT state FROM pg_stat_replication").ExecuteScalar());
        var schema = new Npgsql.NpgsqlConnectionStringBuilder(database.Database.ConnectionString).SearchPath;
        await using var standby = new Npgsql.NpgsqlConnection(replica);
        await standby.OpenAsync();
        long onReplica = 0;
        for (var wait = 0; wait < 100 && onReplica != requests.Count + 1; wait++)
        {
            await using var count = new Npgsql.NpgsqlCommand($"SELECT COUNT(*) FROM {schema}.net_requests", standby);
            onReplica = (long)(await count.ExecuteScalarAsync())!;
            if (onReplica != requests.Count + 1) await Task.Delay(100);
        }
        Assert.Equal(requests.Count + 1L, onReplica);
        await using var write = new Npgsql.NpgsqlCommand($"DELETE FROM {schema}.net_requests", standby);
        var readOnly = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => write.ExecuteNonQueryAsync());
        Assert.Equal("25006", readOnly.SqlState); // read_only_sql_transaction
    }

    /// <summary>
    /// The same layout on the shared test server, with two wards as fake nodes: 品川区 sends a 10,000-item batch query
    /// through the balancer, both instances work it, and instance a is killed with SIGKILL when a fifth is done. Its
    /// claims lapse (Network:BatchClaimLease 2 s), b finishes: every item answered, one provision record each, the chain intact.
    /// </summary>
    [Fact]
    public async Task One_of_two_instances_killed_during_a_10000_item_batch_query_loses_and_doubles_nothing()
    {
        using var database = TestDatabase.Create("postgres");
        var init = await CliProcess.RunAsync(InRoot("data"), "pki", "init", "--out", InRoot("pki"), "--node", "network", "--node", "jlis", "--node", "131091",
            "--host", "127.0.0.1", "--host", "localhost", "--log-key", InRoot("keys", "network"));
        Assert.True(init.ExitCode == 0, init.StandardError);
        using var jlis = InstitutionKeys.LoadOrCreate(InRoot("keys", "jlis"));
        await using var wardA = new TestInstitutionNode("131091", InstitutionClass.Municipality, InstitutionKeys.LoadOrCreate(InRoot("keys", "131091")));
        await using var wardB = new TestInstitutionNode("131113", InstitutionClass.Municipality, InstitutionKeys.LoadOrCreate(InRoot("keys", "131113")));
        await wardA.StartAsync();
        await wardB.StartAsync();
        var (balancerPort, portA, portB) = (FreePort(), FreePort(), FreePort());
        JsonObject Registered(InstitutionInfo info) => new()
        {
            ["Code"] = info.Code, ["Name"] = info.Name, ["Class"] = info.Class.ToString(), ["SigningPublicKey"] = info.SigningPublicKey,
            ["SealingPublicKey"] = info.SealingPublicKey, ["Endpoint"] = info.Endpoint?.AbsoluteUri,
        };
        var networkJson = new JsonObject
        {
            ["Network"] = new JsonObject
            {
                ["Database"] = "postgres:" + database.Database.ConnectionString, ["KeyDirectory"] = InRoot("keys", "network"),
                ["ProviderTimeout"] = "00:00:30", ["BatchClaimLease"] = "00:00:02",
                ["Institutions"] = new JsonArray(
                    Registered(new InstitutionInfo(JlisCode, "地方公共団体情報システム機構", InstitutionClass.NumberingAuthority, null, jlis.SigningPublicKey, jlis.SealingPublicKey)),
                    Registered(wardA.Info), Registered(wardB.Info)),
            },
            ["Serve"] = new JsonObject
            {
                ["Listen"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = balancerPort },
                ["Tls"] = new JsonObject { ["Certificate"] = InRoot("pki", "network.pem"), ["Key"] = InRoot("pki", "network.key"), ["Authority"] = InRoot("pki", "ca.pem") },
            },
        };
        await File.WriteAllTextAsync(InRoot("network.json"), networkJson.ToJsonString());
        var keys = await CliProcess.RunAsync(InRoot("data"), "serve", "--role", "network", "--config", InRoot("network.json"), "--public-keys");
        Assert.True(keys.ExitCode == 0, keys.StandardError);
        wardA.NetworkKey = wardB.NetworkKey = JsonNode.Parse(keys.StandardOutput)!["signingPublicKey"]!.GetValue<string>();

        var instanceA = await ServeInstanceAsync("a", portA);
        await ServeInstanceAsync("b", portB);
        StartHaproxy(DocumentedHaproxyConfig(balancerPort, portA, portB));
        var balancer = new Uri($"https://127.0.0.1:{balancerPort}/");
        using var jlisTls = MutualTls.Load(InRoot("pki", "jlis.pem"), InRoot("pki", "jlis.key"), InRoot("pki", "ca.pem"));
        using var wardTls = MutualTls.Load(InRoot("pki", "131091.pem"), InRoot("pki", "131091.key"), InRoot("pki", "ca.pem"));
        var seen = new HashSet<string>();
        using (var ready = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            while (seen.Count < 2)
                if (await InstanceBehindAsync(jlisTls, balancer) is { } name) seen.Add(name);
                else await Task.Delay(200, ready.Token);

        // 100 people with tokens at both wards (delivered by the network to each ward's node), B holding something for each.
        var tokens = new List<Token>();
        for (var i = 0; i < 100; i++)
        {
            var person = ResidentCode.FromBody(5_200_000_000L + i * 7919L);
            var atA = new IssueTokenRequest(Guid.NewGuid(), wardA.Code, person);
            Assert.True((await IssueWithRetriesAsync(jlisTls, jlis, balancer, atA)).Delivered);
            tokens.Add(wardA.DeliveredTokens[atA.RequestId]);
            var atB = new IssueTokenRequest(Guid.NewGuid(), wardB.Code, person);
            Assert.True((await IssueWithRetriesAsync(jlisTls, jlis, balancer, atB)).Delivered);
            wardB.Holdings[wardB.DeliveredTokens[atB.RequestId]] = $$"""{"n":{{i}}}""";
        }

        async Task<T> AsWardAsync<T>(Func<NetworkHttpClient, Task<T>> call)
        {
            for (var attempt = 1; ; attempt++)
            {
                using var http = new HttpClient(new SigningHandler(wardA.Code, wardA.Keys.Signing, NodeRoutes.NetworkInstitutionCode) { InnerHandler = wardTls.CreateHandler() })
                {
                    BaseAddress = balancer, Timeout = TimeSpan.FromSeconds(30),
                };
                try
                {
                    return await call(new NetworkHttpClient(http));
                }
                catch (Exception e) when (attempt < 20 && e is HttpRequestException or TaskCanceledException or IOException)
                {
                    await Task.Delay(300);
                }
            }
        }
        const int count = 10_000;
        var policy = Renkei.Network.Policy.LinkagePolicy.LoadDefault();
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(9));
        var row = policy.Rows.First(r => r.InquirerClass == InstitutionClass.Municipality && r.ProviderClass == InstitutionClass.Municipality
            && policy.Check(InstitutionClass.Municipality, r.Affair, InstitutionClass.Municipality, r.Kind, today).IsAllowed);
        var batch = new BatchLinkageRequest(Guid.NewGuid(), wardA.Code, row.Affair, wardB.Code, row.Kind, null,
            Enumerable.Range(0, count).Select(i => new BatchLinkageItem("item-" + i, tokens[i % tokens.Count], null)).ToList());
        Assert.Equal(count, (await AsWardAsync(c => c.SubmitBatchAsync(batch))).Items);

        Task<BatchStatusResponse> Status() => AsWardAsync(c => c.BatchStatusAsync(new BatchStatusRequest(batch.BatchId, wardA.Code, count, 1)));
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while ((await Status()).Finished < count / 5)
        {
            Assert.True(DateTime.UtcNow < deadline, "a fifth of the batch was not done in time");
            await Task.Delay(100);
        }
        instanceA.Kill(); // SIGKILL in the middle of the batch: claims held, answers in flight
        Assert.True((await Status()).Finished < count, "the batch was not finished when instance a was killed");
        BatchStatusResponse status;
        while ((status = await Status()).State != BatchState.Completed)
        {
            Assert.True(DateTime.UtcNow < deadline, $"batch still {status.State}: {status.Finished} finished");
            await Task.Delay(200);
        }
        Assert.Equal((count, 0), (status.Finished, status.Pending));

        var results = new List<BatchItemResult>();
        for (var after = -1; ;)
        {
            var page = await AsWardAsync(c => c.BatchStatusAsync(new BatchStatusRequest(batch.BatchId, wardA.Code, after, 1000)));
            if (page.Results.Count == 0) break;
            results.AddRange(page.Results);
            after = page.Results[^1].ItemIndex;
        }
        Assert.Equal(count, results.Count);
        Assert.All(results, r => Assert.Equal(LinkageOutcome.Provided, r.Response.Outcome));
        Assert.Equal(count, results.Select(r => r.Response.RecordSequence).Distinct().Count());

        // The network's one chain: exactly one record per item, verified by the records command from the deployment file.
        var verified = await CliProcess.RunAsync(InRoot("data"), "records", "verify", "--role", "network", "--config", InRoot("network.json"), "--json");
        Assert.True(verified.ExitCode == 0, verified.StandardOutput + verified.StandardError);
        var report = JsonNode.Parse(verified.StandardOutput)!;
        Assert.Equal(count, report["entries"]!.GetValue<long>());
    }
}
