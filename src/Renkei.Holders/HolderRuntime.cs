using System.Security.Cryptography;
using Renkei.Core.Crypto;
using Renkei.Holders.Audit;
using Renkei.Holders.Contracts;
using Renkei.Holders.Feed;
using Renkei.Holders.Records;
using Renkei.Holders.Storage;
using Renkei.Holders.Tokens;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate.Contracts;
using Renkei.Jlis.Contracts;
using Renkei.ServiceDefaults.Tls;

namespace Renkei.Holders;

/// <summary>Everything one holder runs with, created once per service.</summary>
internal sealed class HolderRuntime : IAsyncDisposable
{
    private readonly HttpClient _intermediateHttp;
    private readonly HttpClient? _jlisHttp;

    private HolderRuntime(HolderOptions options, TimeProvider clock, HolderStore store, InstitutionKeys keys, HolderOperationLog log, byte[] staffKey,
        HttpClient intermediateHttp, HttpClient? jlisHttp)
    {
        Options = options;
        Kind = options.Kind!.Value;
        InstitutionCode = options.InstitutionCode;
        Clock = clock;
        Keys = keys;
        OperationLog = log;
        StaffKey = staffKey;
        _intermediateHttp = intermediateHttp;
        _jlisHttp = jlisHttp;
        Records = new HolderRecords(store, Kind, InstitutionCode, options.InsurerType, clock);
        var intermediate = new IntermediateHttpClient(intermediateHttp);
        Linkage = intermediate;
        Feed = new CopyFeed(Records, intermediate);
        Tokens = new HolderTokens(store, InstitutionCode, intermediate, jlisHttp is null ? null : new JlisHttpClient(jlisHttp), clock);
    }

    /// <summary>The validated options (<see cref="HolderOptionsValidator"/>).</summary>
    public HolderOptions Options { get; }
    public HolderKind Kind { get; }
    public string InstitutionCode { get; }
    public TimeProvider Clock { get; }
    public InstitutionKeys Keys { get; }
    public HolderOperationLog OperationLog { get; }
    public byte[] StaffKey { get; }
    public HolderRecords Records { get; }
    public CopyFeed Feed { get; }
    public HolderTokens Tokens { get; }

    /// <summary>The intermediate server as the holder's node for queries (情報照会).</summary>
    public IIntermediateLinkageClient Linkage { get; }

    /// <summary>Creates the holder's schema and keys if missing. <paramref name="options"/> have been validated.</summary>
    public static HolderRuntime Create(HolderOptions options, Database database, TimeProvider clock, MutualTls? tls)
    {
        var code = options.InstitutionCode;
        var keyDirectory = options.KeyDirectory;
        var store = new HolderStore(database);
        store.EnsureSchema();
        var keys = InstitutionKeys.LoadOrCreate(options.InstitutionKeyDirectory);
        HolderOperationLog? log = null;
        try
        {
            var staffKey = SecretKeyFile.LoadOrCreate(Path.Combine(keyDirectory, HolderRoutes.StaffKeyFileName));
            log = HolderOperationLog.Open(database, code, Path.Combine(keyDirectory, HolderOperationLog.SigningKeyFileName), clock, options.AuditLog);
            // The holder's own intermediate server takes calls from the holder alone: signed with its institution key.
            var intermediateHttp = SigningHandler.CreateClient(options.IntermediateAddress!, code, keys.Signing, code,
                tls?.CreateHandler(), TimeSpan.FromMinutes(5), clock);
            var jlisHttp = options.JlisAddress is null
                ? null
                : SigningHandler.CreateClient(options.JlisAddress, code, keys.Signing, JlisTokenRoutes.JlisInstitutionCode, tls?.CreateHandler(),
                    TimeSpan.FromMinutes(10), clock);
            return new HolderRuntime(options, clock, store, keys, log, staffKey, intermediateHttp, jlisHttp);
        }
        catch
        {
            keys.Dispose();
            log?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    /// <summary>True when <paramref name="presented"/> is the staff key (compared in constant time).</summary>
    public bool IsStaffKey(ReadOnlySpan<byte> presented) => CryptographicOperations.FixedTimeEquals(presented, StaffKey);

    public async ValueTask DisposeAsync()
    {
        _intermediateHttp.Dispose();
        _jlisHttp?.Dispose();
        await OperationLog.DisposeAsync();
        Keys.Dispose();
        CryptographicOperations.ZeroMemory(StaffKey);
    }
}
