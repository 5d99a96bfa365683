using System.Net;
using System.Net.Http.Json;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.ServiceDefaults.Access;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate;
using Renkei.Intermediate.Contracts;
using Renkei.Intermediate.Node;
using Renkei.Jlis;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Tokens;
using Renkei.Municipality.Service;
using Renkei.Municipality.Tokens;
using Renkei.Network;
using Renkei.Network.Contracts;
using static Renkei.Cli.Commands.BenchCommands;
using Renkei.ServiceDefaults;

namespace Renkei.Cli.Bench;

/// <param name="Requests">immediate linkages to measure</param>
/// <param name="People">persons with tokens at both wards and a local-tax copy at the provider; queries cycle through them</param>
/// <param name="Concurrency">queries in flight at once (closed loop)</param>
/// <param name="Warmup">linkages before the measurement (JIT, connection pools, caches), recorded like the others; null: until the CPU
/// per linkage is steady (<see cref="LinkageBench.WarmUpAsync"/>)</param>
/// <param name="NetworkInstances">1: the network as one service; 2: two instances on one database behind HAProxy, measured after one
/// instance behind the same balancer in the same run (<see cref="InstancesFigures"/>)</param>
public sealed record LinkageBenchOptions(int Requests, int People, int Concurrency, int? Warmup, int NetworkInstances = 1);

/// <summary>
/// The network behind HAProxy: the same load through the balancer with one instance, then with two on the same database
/// (the headline figures are the two-instance run's), and what each instance answered of it.
/// </summary>
public sealed record InstancesFigures(int Instances, LoadFigures OneInstance, LoadFigures AllInstances, IReadOnlyDictionary<string, double> PerInstancePerSecond,
    double RatioToOneInstance, string Balancer);

/// <summary>Latency and throughput of one load run, and the process's CPU time per operation (every service runs in this process).</summary>
public sealed record LoadFigures(double PerSecond, double P50Ms, double P99Ms, double MaxMs, double CpuMsPerOperation);

/// <summary>How much each party's provision records (情報提供等記録) grew during the measured run.</summary>
/// <param name="NetworkTotal">the network's whole record chain, verified (hash chain and signed checkpoints) after the run: warm-up and measured linkages</param>
public sealed record RecordCounts(long Network, long Inquirer, long Provider, long NetworkTotal, bool NetworkChainIntact);

/// <summary>
/// The batch signatures' effect per measured linkage, every service of the process together: ECDSA root signatures made and
/// the messages they covered, batch-signed messages checked and the ECDSA verifications that took (a root already verified
/// by the receiver is not verified again). Without batching a linkage signs four messages and verifies five.
/// </summary>
public sealed record SignatureFigures(double RootSignatures, double SignedMessages, double RootVerifications, double VerifiedMessages)
{
    /// <summary>The process's counters at one moment.</summary>
    public readonly record struct Snapshot(long Signatures, long Signed, long Verifications, long Verified)
    {
        public static Snapshot Take()
        {
            var (signatures, signed) = Core.Crypto.BatchSigner.ProcessTotals;
            var (verified, verifications) = Core.Crypto.BatchSignature.ProcessVerifications;
            return new(signatures, signed, verifications, verified);
        }
    }

    /// <summary>The figures per operation of the <paramref name="operations"/> run since <paramref name="before"/>.</summary>
    public static SignatureFigures Since(Snapshot before, long operations)
    {
        var now = Snapshot.Take();
        double Per(long after, long earlier) => Math.Round((double)(after - earlier) / operations, 2);
        return new(Per(now.Signatures, before.Signatures), Per(now.Signed, before.Signed), Per(now.Verifications, before.Verifications),
            Per(now.Verified, before.Verified));
    }
}

public sealed record LinkageBenchResult(
    string Benchmark,
    long Requests,
    int People,
    int Concurrency,
    int WarmupRequests,
    string Database,
    string Route,
    double Seconds,
    double LinkagesPerSecond,
    double P50Ms,
    double P99Ms,
    double MaxMs,
    long Failures,
    string? FirstFailure,
    double CpuMsPerLinkage,
    double KestrelCeilingPerSecond,
    LoadFigures Kestrel,
    long NetworkRecords,
    RecordCounts Records,
    double SetupSeconds,
    double[]? LoadAverage,
    MachineInfo Machine,
    InstancesFigures? NetworkInstances = null,
    double ChainCeilingPerSecond = 0,
    LoadFigures? Chain = null,
    double RatioToChain = 0,
    SignatureFigures? SignaturesPerLinkage = null);

/// <summary>
/// <c>renkei bench linkage</c>: immediate linkages (情報照会・提供) between two wards through the network, every part a real
/// service on loopback HTTP with its own database and keys: the network (情報提供ネットワークシステム), J-LIS with its
/// token routes, ward A's intermediate server (中間サーバー) as inquirer and ward B's as provider. Persons are numbered by
/// J-LIS, get their tokens (符号) at both wards by bulk acquisition through J-LIS and the network, and ward B holds a
/// local-tax copy (地方税関係情報) for each. Each measured linkage is A's business system asking A's intermediate server for
/// B's local-tax figures in the child-allowance affair (別表第二 第74項): A signs to the network, the network checks token,
/// policy and provider, forwards to B, B seals the answer to A and signs it, the network verifies and records it, A
/// checks, opens and records it — three provision records written durably before the answer comes back.
/// </summary>
public static class LinkageBench
{
    public static readonly BenchWard Inquirer = new("131091", "品川区");
    public static readonly BenchWard Provider = new("131113", "大田区");
    public const string Affair = "child-allowance";
    public const string Kind = InformationKindCodes.LocalTax;

    public sealed record BenchWard(string Code, string Name);

    public static async Task<LinkageBenchResult> RunAsync(BenchDatabases databases, LinkageBenchOptions options, bool quiet,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(databases);
        ArgumentNullException.ThrowIfNull(options);
        var setup = Stopwatch.StartNew();
        await using var balancer = options.NetworkInstances > 1 ? NetworkBalancer.Start(options.NetworkInstances) : null;
        await using var country = await BenchCountry.StartAsync(databases, balancer, cancellationToken);
        await country.GivePeopleTokensAndCopiesAsync(options.People, quiet, cancellationToken);
        setup.Stop();

        using var client = country.IntermediateClientOf(Inquirer);
        string? firstFailure = null;
        async Task Linkage(long index, CancellationToken ct)
        {
            try
            {
                var response = await client.QueryAsync(new InquiryRequest(Guid.NewGuid(), Inquirer.Code, index % options.People + 1, Affair,
                    Provider.Code, Kind, Actor: Actor.System("linkage-bench", Affair)), ct);
                if (response.Outcome != LinkageOutcome.Provided || response.Information is not { Held: true, Body: not null })
                    throw new InvalidOperationException($"the linkage ended {response.Outcome} ({response.RefusalCode ?? response.Information?.Reason ?? "no reason"})");
            }
            catch (Exception e)
            {
                // Only the exception type and the service's stable code: never a personal value.
                Interlocked.CompareExchange(ref firstFailure, e switch
                {
                    IntermediateException refused => $"{(int)refused.Status} {refused.Code}",
                    InvalidOperationException invalid => invalid.Message,
                    _ => e.GetType().Name,
                }, null);
                throw;
            }
        }

        // The ceiling first: the same client settings and driver against an endpoint that does nothing but JSON.
        var ceiling = await KestrelCeilingAsync(Math.Min(options.Requests, 50_000), options.Concurrency, options.Warmup ?? MinWarmup, cancellationToken);
        // The honest ceiling of this route: a plain relay of the same three hops (business system → A → network → B and back).
        var chain = await ChainCeilingAsync(Math.Min(options.Requests, 50_000), options.Concurrency, options.Warmup ?? MinWarmup, cancellationToken);

        var warmedUp = await WarmUpAsync(Linkage, options.Warmup, options.Concurrency, cancellationToken);
        firstFailure = null;
        LoadFigures? oneInstance = null;
        if (balancer is not null)
        {
            // One instance behind the balancer first, then the others started on the same database and waited for.
            var cpuOne = CpuClock.Start();
            var one = await LoadDriver.RunAsync(Linkage, options.Requests, options.Concurrency, cancellationToken: cancellationToken);
            oneInstance = new LoadFigures(one.OperationsPerSecond, one.P50Ms, one.P99Ms, one.MaxMs, cpuOne.MillisecondsPer(options.Requests));
            await country.StartOtherNetworkInstancesAsync(balancer, cancellationToken);
            await WarmUpAsync(Linkage, options.Warmup ?? WarmupRound, options.Concurrency, cancellationToken);
        }
        var answeredBefore = country.AnsweredByInstance();
        var before = await country.RecordHeadsAsync(cancellationToken);
        var loadAverage = LoadAverage();
        var cpu = CpuClock.Start();
        var signaturesBefore = SignatureFigures.Snapshot.Take();
        var result = await ProgressDisplay.RunAsync("linkages", quiet, progress =>
            LoadDriver.RunAsync(Linkage, options.Requests, options.Concurrency, new Progress<long>(done => progress.Report((done, options.Requests))),
                cancellationToken));
        var cpuMs = cpu.MillisecondsPer(options.Requests);
        var signatures = SignatureFigures.Since(signaturesBefore, options.Requests);
        var answeredAfter = country.AnsweredByInstance();
        var after = await country.RecordHeadsAsync(cancellationToken);
        var instances = balancer is null || oneInstance is null ? null : new InstancesFigures(options.NetworkInstances, oneInstance,
            new LoadFigures(result.OperationsPerSecond, result.P50Ms, result.P99Ms, result.MaxMs, cpuMs),
            answeredAfter.ToDictionary(a => a.Key, a => Math.Round((a.Value - answeredBefore.GetValueOrDefault(a.Key)) / result.Seconds)),
            Math.Round(result.OperationsPerSecond / oneInstance.PerSecond, 3), balancer.Description);
        var verification = country.Network.VerifyRecords();

        return new LinkageBenchResult(
            "linkage", options.Requests, options.People, options.Concurrency, warmedUp,
            databases.Provider.ToString().ToLowerInvariant(),
            "ward A's business system → A's intermediate server → network → B's intermediate server → back, loopback HTTP",
            result.Seconds, result.OperationsPerSecond, result.P50Ms, result.P99Ms, result.MaxMs, result.Failures, firstFailure, cpuMs,
            ceiling.Result.OperationsPerSecond,
            new LoadFigures(ceiling.Result.OperationsPerSecond, ceiling.Result.P50Ms, ceiling.Result.P99Ms, ceiling.Result.MaxMs, ceiling.CpuMsPerOperation),
            after.Network - before.Network,
            new RecordCounts(after.Network - before.Network, after.Inquirer - before.Inquirer, after.Provider - before.Provider,
                verification.EntriesVerified, verification.IsIntact),
            Math.Round(setup.Elapsed.TotalSeconds, 3), loadAverage, MachineInfo.Current(), instances,
            chain.Result.OperationsPerSecond,
            new LoadFigures(chain.Result.OperationsPerSecond, chain.Result.P50Ms, chain.Result.P99Ms, chain.Result.MaxMs, chain.CpuMsPerOperation),
            Math.Round(result.OperationsPerSecond / chain.Result.OperationsPerSecond, 3), signatures);
    }

    /// <summary>The first warm-up round when none is given (linkages).</summary>
    public const int MinWarmup = 2_000;

    /// <summary>Each further warm-up round (linkages).</summary>
    public const int WarmupRound = 1_000;

    /// <summary>The most warm-up linkages when none is given.</summary>
    public const int MaxWarmup = 12_000;

    /// <summary>
    /// Runs <paramref name="count"/> linkages, or when null, until the process's CPU time per linkage is steady: a round of
    /// <see cref="MinWarmup"/>, then rounds of <see cref="WarmupRound"/> until one costs no less than 95 % of the CPU per linkage
    /// of the round before (at most <see cref="MaxWarmup"/> in all). The JIT recompiles thousands of hot ASP.NET, JSON and
    /// SQLite methods at its optimising tier in the background, which on a busy 2-core machine takes tens of seconds: after
    /// a warm-up of 400 a linkage measured 4.5 ms of CPU, after 4,000 about 2.5 ms. Returns the linkages run.
    /// </summary>
    public static async Task<int> WarmUpAsync(Func<long, CancellationToken, Task> operation, int? count, int concurrency, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (count is { } fixedCount)
        {
            if (fixedCount > 0) await LoadDriver.RunAsync(operation, fixedCount, concurrency, cancellationToken: cancellationToken);
            return Math.Max(fixedCount, 0);
        }
        var done = 0;
        double? previous = null;
        while (done < MaxWarmup)
        {
            var round = Math.Min(done == 0 ? MinWarmup : WarmupRound, MaxWarmup - done);
            var offset = done;
            var cpu = CpuClock.Start();
            await LoadDriver.RunAsync((index, ct) => operation(offset + index, ct), round, concurrency, cancellationToken: cancellationToken);
            var perLinkage = cpu.MillisecondsPer(round);
            done += round;
            if (previous is { } before && perLinkage >= 0.95 * before) break;
            previous = perLinkage;
        }
        return done;
    }

    /// <summary>The HTTP client settings both runs use: one pooled handler, connections kept, no per-request timeout.</summary>
    public static HttpClient CreateClient(Uri baseAddress) => new(PooledHandler(), disposeHandler: true)
    {
        BaseAddress = baseAddress,
        Timeout = ClientTimeout,
    };

    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(60);

    private static SocketsHttpHandler PooledHandler() => new()
    {
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        MaxConnectionsPerServer = int.MaxValue,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
    };

    /// <summary>A plain Kestrel endpoint through <see cref="ServiceHost"/> answering a small JSON POST (an inquiry's shape, echoed in part).</summary>
    public static async Task<(LoadResult Result, double CpuMsPerOperation)> KestrelCeilingAsync(int requests, int concurrency, int warmup, CancellationToken cancellationToken)
    {
        await using var host = await ServiceHost.StartAsync("bench-ceiling", _ => { }, app =>
            app.MapPost("/ceiling", (InquiryRequest request) => Results.Json(new CeilingAnswer(request.RequestId, request.Kind, true), JsonDefaults.Options))
                .AllowPublic("benchmark only: a plain JSON endpoint on loopback, the measure of what Kestrel alone does"),
            cancellationToken: cancellationToken);
        return await DriveCeilingAsync(host.BaseAddress, "ceiling", requests, concurrency, warmup, cancellationToken);
    }

    /// <summary>Posts an inquiry's shape to <paramref name="route"/> as the linkage run posts inquiries, after <paramref name="warmup"/> calls.</summary>
    private static async Task<(LoadResult Result, double CpuMsPerOperation)> DriveCeilingAsync(Uri baseAddress, string route, int requests, int concurrency,
        int warmup, CancellationToken cancellationToken)
    {
        using var http = CreateClient(baseAddress);
        async Task Call(long index, CancellationToken ct)
        {
            using var response = await http.PostAsJsonAsync(route,
                new InquiryRequest(Guid.NewGuid(), Inquirer.Code, index + 1, Affair, Provider.Code, Kind), JsonDefaults.Options, ct);
            response.EnsureSuccessStatusCode();
            var answer = await response.Content.ReadFromJsonAsync<CeilingAnswer>(JsonDefaults.Options, ct);
            if (answer is not { Held: true }) throw new InvalidOperationException("the ceiling endpoint answered wrongly");
        }
        if (warmup > 0) await LoadDriver.RunAsync(Call, warmup, concurrency, cancellationToken: cancellationToken);
        var cpu = CpuClock.Start();
        var result = await LoadDriver.RunAsync(Call, requests, concurrency, cancellationToken: cancellationToken);
        return (result, cpu.MillisecondsPer(requests));
    }

    /// <summary>
    /// The same three hops a linkage makes with no work at any of them: the bench (ward A's business system) posts an inquiry's
    /// shape to a relay standing for A's intermediate server, which posts it on to one standing for the network, which posts
    /// it to one standing for B's intermediate server, which answers; each relay returns the answer it got. Three Kestrel
    /// hosts through <see cref="ServiceHost"/>, pooled clients as the services use.
    /// </summary>
    public static async Task<(LoadResult Result, double CpuMsPerOperation)> ChainCeilingAsync(int requests, int concurrency, int warmup, CancellationToken cancellationToken)
    {
        const string route = "relay";
        await using var provider = await ServiceHost.StartAsync("bench-chain-provider", _ => { }, app =>
            app.MapPost("/" + route, (InquiryRequest request) => Results.Json(new CeilingAnswer(request.RequestId, request.Kind, true), JsonDefaults.Options))
                .AllowPublic("benchmark only: the last hop of a plain relay chain on loopback"), cancellationToken: cancellationToken);
        using var toProvider = CreateClient(provider.BaseAddress);
        await using var network = await RelayAsync("bench-chain-network", toProvider, cancellationToken);
        using var toNetwork = CreateClient(network.BaseAddress);
        await using var inquirer = await RelayAsync("bench-chain-inquirer", toNetwork, cancellationToken);
        return await DriveCeilingAsync(inquirer.BaseAddress, route, requests, concurrency, warmup, cancellationToken);

        static Task<ServiceHost> RelayAsync(string name, HttpClient next, CancellationToken ct) => ServiceHost.StartAsync(name, _ => { }, app =>
            app.MapPost("/" + route, async (InquiryRequest request, CancellationToken rt) =>
                {
                    using var response = await next.PostAsJsonAsync(route, request, JsonDefaults.Options, rt);
                    response.EnsureSuccessStatusCode();
                    return Results.Json(await response.Content.ReadFromJsonAsync<CeilingAnswer>(JsonDefaults.Options, rt), JsonDefaults.Options);
                })
                .AllowPublic("benchmark only: a hop of a plain relay chain on loopback"), cancellationToken: ct);
    }

    /// <summary>The process's CPU time (all threads, user and system) over a phase: on a shared machine a steadier figure than wall-clock rates.</summary>
    private readonly record struct CpuClock(TimeSpan Started)
    {
        public static CpuClock Start() => new(Process.GetCurrentProcess().TotalProcessorTime);

        public double MillisecondsPer(long operations) =>
            Math.Round((Process.GetCurrentProcess().TotalProcessorTime - Started).TotalMilliseconds / operations, 3);
    }

    private sealed record CeilingAnswer(Guid RequestId, string Kind, bool Held);

    /// <summary>The 1-, 5- and 15-minute load averages (Linux), so shared-machine noise is visible next to the figures.</summary>
    internal static double[]? LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return [.. parts.Take(3).Select(p => double.Parse(p, System.Globalization.CultureInfo.InvariantCulture))];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The services of the benchmark, each with its own database and keys: the bench's preset of the <see cref="CountryBuilder"/>.</summary>
    internal sealed class BenchCountry : IAsyncDisposable
    {
        private readonly RunningCountry _country;
        private readonly Dictionary<string, InstitutionKeys> _wardKeys;

        private readonly CountryBuilder _builder;
        private readonly List<NetworkNode> _otherInstances = [];

        private BenchCountry(CountryBuilder builder, RunningCountry country)
        {
            _builder = builder;
            _country = country;
            _wardKeys = country.Wards.ToDictionary(w => w.Code.Digits, w => InstitutionKeys.LoadOrCreate(w.InstitutionKeyDirectory), StringComparer.Ordinal);
        }

        public NetworkNode Network => _country.Network!;
        public ServiceHost Jlis => _country.Jlis!;
        public ServiceHost InquirerHost => NodeHost(Inquirer);
        public ServiceHost ProviderHost => NodeHost(Provider);

        private ServiceHost NodeHost(BenchWard ward) => _country.Ward(LocalGovernmentCode.ParseOrThrow(ward.Code)).Intermediate!;

        private string KeyDirectory(BenchWard ward) => _country.Layout.MunicipalityInstitutionKeyDirectory(LocalGovernmentCode.ParseOrThrow(ward.Code));

        /// <summary>The network, J-LIS with its token routes, and the two wards' intermediate servers (no register API: the bench is the wards' systems).</summary>
        /// <param name="balancer">when given, the network's first instance listens on its first port and the others call the balancer</param>
        public static async Task<BenchCountry> StartAsync(BenchDatabases databases, NetworkBalancer? balancer, CancellationToken cancellationToken)
        {
            var builder = new CountryBuilder(new DataLayout(new DirectoryInfo(databases.WorkDirectory), databases.Create)).AddNetwork(network =>
            {
                if (balancer is null) return;
                network.Port = balancer.InstancePorts[0];
                network.PublicAddress = balancer.Address;
                network.Settings[ServiceInstance.Setting] = NetworkBalancer.InstanceName(0);
            }).AddJlis();
            foreach (var ward in new[] { Inquirer, Provider })
                builder.AddWard(LocalGovernmentCode.ParseOrThrow(ward.Code), ward.Name, w => w.Api.Enabled = false);
            var country = new BenchCountry(builder, await builder.StartAsync(cancellationToken));
            if (balancer is not null) await balancer.WaitForAsync(1, cancellationToken);
            return country;
        }

        /// <summary>The network's other instances on the same database and keys, on the balancer's other ports; returns once the balancer uses them all.</summary>
        public async Task StartOtherNetworkInstancesAsync(NetworkBalancer balancer, CancellationToken cancellationToken)
        {
            for (var i = 1; i < balancer.InstancePorts.Count; i++)
                _otherInstances.Add(await _builder.StartNetworkInstanceAsync(balancer.InstancePorts[i], NetworkBalancer.InstanceName(i), cancellationToken));
            await balancer.WaitForAsync(balancer.InstancePorts.Count, cancellationToken);
        }

        /// <summary>Immediate linkages each network instance has answered, by instance name.</summary>
        public Dictionary<string, long> AnsweredByInstance() =>
            new[] { Network }.Concat(_otherInstances).Select((node, i) => (Name: NetworkBalancer.InstanceName(i), node.ImmediateLinkagesAnswered))
                .ToDictionary(x => x.Name, x => x.ImmediateLinkagesAnswered, StringComparer.Ordinal);

        /// <summary>The ward's own systems' client of its intermediate server: signed as the ward, over the bench's pooled handler.</summary>
        public IntermediateHttpClient IntermediateClientOf(BenchWard ward) =>
            IntermediateHttpClient.Signed(NodeHost(ward).BaseAddress, ward.Code, _wardKeys[ward.Code].Signing, PooledHandler(), ClientTimeout);

        /// <summary>
        /// J-LIS numbers <paramref name="people"/> new resident-record codes; both wards acquire their tokens in bulk (addressee
        /// numbers 1 … people, the same person under the same number at both); ward B loads a local-tax copy for each.
        /// </summary>
        public async Task GivePeopleTokensAndCopiesAsync(int people, bool quiet, CancellationToken cancellationToken)
        {
            var random = new Random(20261122);
            var codes = new HashSet<ResidentCode>();
            while (codes.Count < people) codes.Add(ResidentCode.FromBody(random.NextInt64(ResidentCode.BodyCount)));
            var ordered = codes.ToList();

            var municipality = LocalGovernmentCode.ParseOrThrow(Inquirer.Code);
            // The inquiring ward numbers its people, signing as itself (J-LIS knows it from the network's registry).
            using var jlis = new WardJlisConnection(municipality, new WardJlisOptions(Jlis.BaseAddress, KeyDirectory(Inquirer)));
            var numbering = jlis.Numbering;
            var numbers = new Dictionary<ResidentCode, IndividualNumber>(people);
            const int numberingChunk = 50_000;
            for (var start = 0; start < ordered.Count; start += numberingChunk)
            {
                var chunk = ordered.GetRange(start, Math.Min(numberingChunk, ordered.Count - start));
                var response = await numbering.RequestBatchAsync(new NumberingBatchRequest(Guid.NewGuid(), municipality, chunk), cancellationToken);
                if (response.Refused.Count > 0) throw new InvalidOperationException($"J-LIS refused {response.Refused.Count} resident-record code(s)");
                foreach (var assignment in response.Assignments) numbers[assignment.ResidentCode] = assignment.IndividualNumber;
            }
            if (numbers.Count != people) throw new InvalidOperationException($"J-LIS numbered {numbers.Count} of {people} people");
            var subjects = ordered.Select((code, i) => new TokenSubject(i + 1, numbers[code])).ToList();

            await ProgressDisplay.RunAsync("tokens at both wards", quiet, async progress =>
            {
                var held = new long[2];
                var summaries = await Task.WhenAll(new[] { Inquirer, Provider }.Select(async (ward, w) =>
                {
                    using var clients = new WardTokenClients(LocalGovernmentCode.ParseOrThrow(ward.Code),
                        new WardTokenOptions(Jlis.BaseAddress, NodeHost(ward).BaseAddress, KeyDirectory(ward)));
                    return await clients.Acquirer.AcquireManyAsync(Guid.NewGuid(), subjects, progress: new Progress<TokenAcquisitionProgress>(p =>
                    {
                        Volatile.Write(ref held[w], p.Held);
                        progress.Report((held.Sum(), 2L * people));
                    }), cancellationToken: cancellationToken);
                }));
                foreach (var summary in summaries)
                    if (summary.Held != people) throw new InvalidOperationException($"a ward holds tokens for {summary.Held} of {people} people");
                return 0;
            });

            using var providerClient = IntermediateClientOf(Provider);
            var copies = await ProgressDisplay.RunAsync("local-tax copies at ward B", quiet, progress =>
                providerClient.LoadStreamAsync(Provider.Code, Actor.System("linkage-bench", "copy-registration"),
                    Commands.IntermediateBenchCommand.LocalTaxCopies(people, progress, cancellationToken), cancellationToken: cancellationToken));
            if (copies.Failure is not null || copies.Stored != people)
                throw new InvalidOperationException($"ward B stored {copies.Stored} of {people} local-tax copies");
        }

        /// <summary>The heads of the three parties' provision records: the network's from its signed checkpoint (asked as ward A).</summary>
        public async Task<(long Network, long Inquirer, long Provider)> RecordHeadsAsync(CancellationToken cancellationToken)
        {
            using var http = SigningHandler.CreateClient(Network.BaseAddress, Inquirer.Code, _wardKeys[Inquirer.Code].Signing, NodeRoutes.NetworkInstitutionCode);
            long network;
            try
            {
                network = (await new NetworkHttpClient(http).CheckpointAsync(new CheckpointRequest(Inquirer.Code), cancellationToken)).Sequence;
            }
            catch (NetworkException e) when (e.Status == HttpStatusCode.NotFound)
            {
                network = 0; // no record yet
            }
            return (network, NodeOf(InquirerHost).Records.Store.Head().Sequence, NodeOf(ProviderHost).Records.Store.Head().Sequence);
        }

        private static IntermediateNode NodeOf(ServiceHost host) => host.Services.GetRequiredService<IntermediateNode>();

        public async ValueTask DisposeAsync()
        {
            foreach (var instance in _otherInstances) await instance.DisposeAsync();
            await _country.DisposeAsync();
            foreach (var keys in _wardKeys.Values) keys.Dispose();
        }
    }
}
