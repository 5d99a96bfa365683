using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Holders;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Audit;
using Renkei.Infrastructure.Tls;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Institutions;
using Renkei.Network.Contracts;
using Renkei.ServiceDefaults.Tls;
using Renkei.ServiceDefaults;

namespace Renkei.Cli.Deployment;

/// <summary>Which institution a <c>renkei serve</c> process runs.</summary>
public enum ServeRole
{
    /// <summary>情報提供ネットワークシステム</summary>
    Network,
    /// <summary>地方公共団体情報システム機構</summary>
    Jlis,
    /// <summary>市区町村 (with its intermediate server)</summary>
    Municipality,
    /// <summary>日本年金機構 or a 健康保険組合 (with its intermediate server)</summary>
    Holder,
    /// <summary>マイナポータル (no database: sessions in memory)</summary>
    Portal,
}

/// <summary>Where a service listens: an address (or host name) and a port (0 picks a free one).</summary>
public sealed record ListenEndpoint(string Address, int Port);

/// <summary>The intermediate server (中間サーバー) the holder's process runs on its own port and database.</summary>
public sealed record IntermediateSettings(ListenEndpoint Listen, Database Database, string? KindsFile);

/// <summary>
/// A checked <c>renkei serve --config &lt;file&gt;</c> file (JSON, documented in docs/deployment.md): one institution's
/// role, code and name, where it listens, its database and key directory, its mutual-TLS files, the peers it calls and
/// the role's own settings (the network's registry of institutions, the ward's demo staff, the holder's kind). Relative
/// paths are relative to the file's directory. <see cref="Load"/> refuses a wrong file with a
/// <see cref="DeploymentConfigException"/> naming the setting and the problem; <c>renkei serve</c> prints it with the file
/// name and exits 2. The loaded TLS certificates belong to this object: dispose it after the services.
/// </summary>
public sealed partial class DeploymentConfig : IDisposable
{
    private static readonly JsonSerializerOptions FileJson = new(JsonDefaults.Options)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = false,
    };

    private DeploymentConfig(string path) => Path = path;

    /// <summary>The file it was read from (full path).</summary>
    public string Path { get; }
    public ServeRole Role { get; private set; }

    /// <summary>The institution's code: its CN in the node certificate and its code in the network's registry.</summary>
    public string InstitutionCode { get; private set; } = "";
    public string InstitutionName { get; private set; } = "";
    public ListenEndpoint Listen { get; private set; } = new("127.0.0.1", 0);
    public Database Database { get; private set; } = null!;

    /// <summary>The institution's key directory (numbering key, operation-log key, TOTP key, <c>institution/</c> signing and sealing keys …).</summary>
    public string KeyDirectory { get; private set; } = "";

    /// <summary>The node's mutual TLS; null: plain HTTP (a development setting on one machine).</summary>
    public MutualTls? Tls { get; private set; }

    public Uri? NetworkAddress { get; private set; }
    public Uri? JlisAddress { get; private set; }

    /// <summary>Where the holder's own intermediate server is, when it does not run in this process.</summary>
    public Uri? IntermediateAddress { get; private set; }

    /// <summary>The network's signing public key (SPKI DER base64) that nodes pin to verify the network's requests.</summary>
    public string? NetworkSigningPublicKey { get; private set; }

    /// <summary>The network's log-signing public key (SPKI DER base64) that the portal pins for the provision records' heads and names.</summary>
    public string? NetworkLogPublicKey { get; private set; }

    public IntermediateSettings? Intermediate { get; private set; }

    /// <summary>Municipality role: create the demo staff accounts (DEMO ONLY).</summary>
    public bool DemoStaff { get; private set; }

    /// <summary>Municipality role: the citizen portal whose e-applications the ward takes (code and signing key, SPKI DER base64), or null: none.</summary>
    public (string Code, string SigningPublicKey)? EApplicationPortal { get; private set; }

    /// <summary>Holder role: pension organisation or health insurer.</summary>
    public HolderKind? HolderKind { get; private set; }

    /// <summary>Network role: how long an immediate query waits for the provider.</summary>
    public TimeSpan? ProviderTimeout { get; private set; }

    /// <summary>J-LIS role: the JPKI CAs' key-file passphrase (from <c>jlis.jpkiPassphraseFile</c>); null: no JPKI and card services.</summary>
    public string? JpkiPassphrase { get; private set; }

    /// <summary>J-LIS role: the institutions registered in J-LIS's own registry at start (<c>jlis.institutions</c>).</summary>
    public IReadOnlyList<JlisInstitution> JlisInstitutions { get; private set; } = [];

    /// <summary>Portal role: the wards that take e-applications (code, name, service address).</summary>
    public IReadOnlyList<Renkei.Portal.PortalWard> PortalWards { get; private set; } = [];

    /// <summary>
    /// The options of every signed log the role opens (the ward's operation log, the network's provision records, the
    /// intermediate server's party records, the holder's operation log): <c>audit.checkpointSeconds</c> sets how long
    /// a log's head may stay unsigned while entries arrive.
    /// </summary>
    public AuditLogOptions AuditLog { get; private set; } = AuditLogOptions.Default;

    /// <summary>Network role: the registry of institutions (機関情報) upserted at start.</summary>
    public IReadOnlyList<InstitutionInfo> Institutions { get; private set; } = [];

    /// <summary>
    /// The institution's signing and sealing keys (InstitutionKeys) as a node of the network: <c>institution/</c> in the
    /// key directory, the key directory itself for the network (beside its token master key).
    /// </summary>
    public string InstitutionKeyDirectory => Role == ServeRole.Network ? KeyDirectory : System.IO.Path.Combine(KeyDirectory, "institution");

    /// <summary>Whether this institution takes part in the network (tokens, linkage): the network's address is configured.</summary>
    public bool OnNetwork => Role != ServeRole.Network && NetworkAddress is not null;

    /// <summary>The listening setting of the institution's main service.</summary>
    public ServiceHostOptions HostOptions => new(Listen.Port, Listen.Address) { MutualTls = Tls };

    /// <summary>Outgoing handlers for calls to other nodes: mutual TLS when configured, else plain.</summary>
    public HttpMessageHandler CreateOutgoingHandler() => Tls?.CreateHandler() ?? new SocketsHttpHandler();

    /// <summary>
    /// Reads and checks <paramref name="path"/>. <paramref name="layout"/> supplies the default database and key directory
    /// of a role when the file names none (the same places <c>--data</c> uses, so batch commands find them).
    /// </summary>
    /// <param name="keysOnly">
    /// Read only what <c>--public-keys</c> needs (role, institution, key directory): the institutions' public-key files
    /// the rest of a deployment's files refer to are made with it, so they cannot be required yet.
    /// </param>
    public static DeploymentConfig Load(string path, DataLayout layout, ServeRole? expectedRole = null, bool keysOnly = false)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var full = System.IO.Path.GetFullPath(path);
        DeploymentFile file;
        try
        {
            file = JsonSerializer.Deserialize<DeploymentFile>(File.ReadAllText(full), FileJson)
                ?? throw new DeploymentConfigException("the file holds null, not a settings object");
        }
        catch (FileNotFoundException)
        {
            throw new DeploymentConfigException("no such file");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DeploymentConfigException("cannot be read: " + e.Message);
        }
        catch (JsonException e)
        {
            throw new DeploymentConfigException(Describe(e));
        }

        var config = new DeploymentConfig(full);
        try
        {
            config.Read(file, layout, expectedRole, keysOnly);
            return config;
        }
        catch
        {
            config.Dispose();
            throw;
        }
    }

    private void Read(DeploymentFile file, DataLayout layout, ServeRole? expectedRole, bool keysOnly)
    {
        Role = file.Role switch
        {
            "network" => ServeRole.Network,
            "jlis" => ServeRole.Jlis,
            "municipality" => ServeRole.Municipality,
            "holder" => ServeRole.Holder,
            "portal" => ServeRole.Portal,
            null => throw Problem("role", "missing: one of network, jlis, municipality, holder, portal"),
            _ => throw Problem("role", "must be one of network, jlis, municipality, holder, portal"),
        };
        if (expectedRole is { } expected && expected != Role)
            throw Problem("role", $"the file is for role {file.Role}, not --role {expected.ToString().ToLowerInvariant()}");

        ReadInstitution(file.Institution);
        KeyDirectory = file.KeyDirectory is { } keys ? Resolve(keys, "keyDirectory") : DefaultKeyDirectory(layout);
        if (keysOnly) return;
        Listen = ReadListen(file.Listen, "listen");
        if (Role == ServeRole.Portal)
        {
            if (file.Database is not null) throw Problem("database", "the portal keeps no database (sessions live in memory): leave database out");
        }
        else Database = ReadDatabase(file.Database, "database") ?? DefaultDatabase(layout);
        ReadTls(file.Tls);
        ReadPeers(file.Peers ?? new PeersSection());
        ReadRoleSections(file, layout);
        ReadAudit(file.Audit);
    }

    /// <summary>The smallest and largest <c>audit.checkpointSeconds</c>: a head unsigned for at most a minute.</summary>
    public const int MinCheckpointSeconds = 1, MaxCheckpointSeconds = 60;

    private void ReadAudit(AuditSection? section)
    {
        if (section is null) return;
        if (Role is ServeRole.Jlis or ServeRole.Portal)
            throw Problem("audit", "only for roles network, municipality and holder (the roles that keep signed logs)");
        if (section.CheckpointSeconds is { } seconds)
        {
            if (seconds is < MinCheckpointSeconds or > MaxCheckpointSeconds)
                throw Problem("audit.checkpointSeconds", $"must be between {MinCheckpointSeconds} and {MaxCheckpointSeconds} (seconds)");
            AuditLog = AuditLogOptions.Default with { CheckpointPeriod = TimeSpan.FromSeconds(seconds) };
        }
    }

    private void ReadInstitution(InstitutionSection? section)
    {
        var code = section?.Code;
        var name = section?.Name;
        switch (Role)
        {
            case ServeRole.Network:
                code ??= NodeRoutes.NetworkInstitutionCode;
                if (code != NodeRoutes.NetworkInstitutionCode)
                    throw Problem("institution.code", $"the network's own code is {NodeRoutes.NetworkInstitutionCode}");
                name ??= "情報提供ネットワークシステム";
                break;
            case ServeRole.Jlis:
                code ??= JlisTokenRoutes.JlisInstitutionCode;
                name ??= "地方公共団体情報システム機構";
                break;
            case ServeRole.Municipality:
                var parsed = LocalGovernmentCode.Parse(code ?? throw Problem("institution.code", "missing: the municipality's local government code (e.g. 131091)"));
                if (!parsed.IsValid) throw Problem("institution.code", "not a local government code: " + parsed.Error!.Message);
                code = parsed.Value.Digits;
                break;
            case ServeRole.Holder:
                if (code is null) throw Problem("institution.code", "missing: the holder's institution code (e.g. JPS001)");
                break;
            case ServeRole.Portal:
                code ??= PortalRoutes.DemoPortalCode;
                name ??= "マイナポータル";
                break;
        }
        if (!InstitutionCodePattern().IsMatch(code!))
            throw Problem("institution.code", "an institution code is 6–8 of 0-9 and A-Z");
        if (string.IsNullOrWhiteSpace(name)) throw Problem("institution.name", "missing: the institution's name (e.g. 品川区)");
        InstitutionCode = code!;
        InstitutionName = name.Trim();
    }

    private ListenEndpoint ReadListen(ListenSection? section, string where)
    {
        var address = section?.Address ?? "127.0.0.1";
        if (!NodeCertificateAuthority.IsHostNameOrAddress(address))
            throw Problem(where + ".address", "not an IP address or host name");
        var port = section?.Port ?? 0;
        if (port is < 0 or > 65535) throw Problem(where + ".port", "must be between 0 and 65535");
        return new ListenEndpoint(address, port);
    }

    private Database? ReadDatabase(string? setting, string where)
    {
        if (setting is null) return null;
        if (setting.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
            return Database.Sqlite(Resolve(setting["sqlite:".Length..], where));
        try
        {
            var database = Database.Parse(setting);
            _ = database.Describe(); // parses the Npgsql connection string
            return database;
        }
        catch (FormatException)
        {
            throw Problem(where, "must be 'sqlite:<path>' or 'postgres:<Npgsql connection string>'");
        }
        catch (ArgumentException)
        {
            // Npgsql's message could quote a value of the string (a password): say only where.
            throw Problem(where, "the PostgreSQL connection string after 'postgres:' is malformed");
        }
    }

    private void ReadTls(TlsSection? section)
    {
        if (section is null) return;
        var certificate = Resolve(section.Certificate ?? throw Problem("tls.certificate", "missing: the node certificate (PEM)"), "tls.certificate");
        var key = Resolve(section.Key ?? throw Problem("tls.key", "missing: the node certificate's private key (PEM)"), "tls.key");
        var authority = Resolve(section.Authority ?? throw Problem("tls.authority", "missing: the network CA's certificate (PEM)"), "tls.authority");
        try
        {
            Tls = MutualTls.Load(certificate, key, authority);
        }
        catch (InvalidDataException e)
        {
            throw Problem("tls", e.Message);
        }
        if (Tls.InstitutionCode != InstitutionCode)
            throw Problem("tls.certificate", $"the certificate is for {Tls.InstitutionCode}, not for this institution ({InstitutionCode})");
    }

    private void ReadPeers(PeersSection peers)
    {
        NetworkAddress = ReadPeer(peers.Network, "peers.network");
        JlisAddress = ReadPeer(peers.Jlis, "peers.jlis");
        IntermediateAddress = ReadPeer(peers.Intermediate, "peers.intermediate");
        if (peers.NetworkSigningPublicKey is not null && peers.NetworkPublicKeys is not null)
            throw Problem("peers.networkPublicKeys", "give either networkSigningPublicKey or networkPublicKeys, not both");
        if (peers.NetworkSigningPublicKey is { } inline)
            NetworkSigningPublicKey = CheckPublicKey(inline, "peers.networkSigningPublicKey", sealing: false);
        else if (peers.NetworkPublicKeys is { } keysFile)
        {
            var keys = ReadPublicKeys(keysFile, "peers.networkPublicKeys");
            if (keys.Code != NodeRoutes.NetworkInstitutionCode)
                throw Problem("peers.networkPublicKeys", $"the file holds the keys of {keys.Code}, not of {NodeRoutes.NetworkInstitutionCode}");
            NetworkSigningPublicKey = CheckPublicKey(keys.SigningPublicKey, "peers.networkPublicKeys", sealing: false);
            if (keys.LogSigningPublicKey is { } logKey) NetworkLogPublicKey = CheckPublicKey(logKey, "peers.networkPublicKeys", sealing: false);
        }
        if (peers.NetworkLogPublicKey is { } inlineLog)
        {
            if (peers.NetworkPublicKeys is not null)
                throw Problem("peers.networkLogPublicKey", "give either networkLogPublicKey or networkPublicKeys, not both");
            NetworkLogPublicKey = CheckPublicKey(inlineLog, "peers.networkLogPublicKey", sealing: false);
        }
    }

    private Uri? ReadPeer(string? text, string where)
    {
        if (text is null) return null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(uri.Query))
            throw Problem(where, "must be an http or https base address such as https://127.0.0.1:7401/");
        if (Tls is not null && uri.Scheme != "https")
            throw Problem(where, "with tls every peer is reached over https");
        if (Tls is null && uri.Scheme == "https")
            throw Problem(where, "an https peer needs the tls settings (the node certificate to present and the CA to trust)");
        return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }

    private void ReadRoleSections(DeploymentFile file, DataLayout layout)
    {
        if (Role != ServeRole.Network && file.Network is not null) throw Problem("network", "only for role network");
        if (Role != ServeRole.Municipality && file.Municipality is not null) throw Problem("municipality", "only for role municipality");
        if (Role != ServeRole.Holder && file.Holder is not null) throw Problem("holder", "only for role holder");
        if (Role != ServeRole.Jlis && file.Jlis is not null) throw Problem("jlis", "only for role jlis");
        if (Role != ServeRole.Portal && file.Portal is not null) throw Problem("portal", "only for role portal");
        if (Role == ServeRole.Portal && file.Intermediate is not null)
            throw Problem("intermediate", "only for roles municipality and holder (an information holder runs its intermediate server)");
        if (Role is ServeRole.Network or ServeRole.Jlis && file.Intermediate is not null)
            throw Problem("intermediate", "only for roles municipality and holder (an information holder runs its intermediate server)");

        if (file.Intermediate is { } intermediate)
        {
            if (IntermediateAddress is not null)
                throw Problem("peers.intermediate", "the intermediate section runs the intermediate server in this process: leave peers.intermediate out");
            var listen = ReadListen(intermediate.Listen, "intermediate.listen");
            if (listen.Port != 0 && listen.Port == Listen.Port && listen.Address == Listen.Address)
                throw Problem("intermediate.listen.port", "the intermediate server needs a port of its own");
            Intermediate = new IntermediateSettings(
                listen,
                ReadDatabase(intermediate.Database, "intermediate.database") ?? layout.IntermediateDatabase(InstitutionCode),
                intermediate.KindsFile is { } kinds ? ExistingFile(kinds, "intermediate.kindsFile") : null);
        }

        if (Role == ServeRole.Network && (NetworkAddress ?? JlisAddress ?? IntermediateAddress) is not null)
            throw Problem("peers", "the network calls the institutions at their registry endpoints: leave peers out");
        if (Role is ServeRole.Municipality or ServeRole.Holder && NetworkAddress is not null && Intermediate is not null && NetworkSigningPublicKey is null)
            throw Problem("peers.networkPublicKeys", "missing: the intermediate server pins the network's signing key to verify the network's requests");
        if (NetworkSigningPublicKey is not null && NetworkAddress is null)
            throw Problem("peers.network", "missing: the network's signing key is given but not its address");
        if (Role is ServeRole.Municipality or ServeRole.Holder && NetworkAddress is not null && JlisAddress is null)
            throw Problem("peers.jlis", "missing: tokens are requested through J-LIS");

        switch (Role)
        {
            case ServeRole.Municipality:
                if (JlisAddress is null) throw Problem("peers.jlis", "missing: the ward numbers its residents through J-LIS");
                DemoStaff = file.Municipality?.DemoStaff ?? false;
                if (file.Municipality?.PortalPublicKeys is { } portalKeys)
                {
                    var keys = ReadPublicKeys(portalKeys, "municipality.portalPublicKeys");
                    EApplicationPortal = (keys.Code, CheckPublicKey(keys.SigningPublicKey, "municipality.portalPublicKeys", sealing: false));
                }
                break;
            case ServeRole.Holder:
                HolderKind = file.Holder?.Kind switch
                {
                    "pensionOrganisation" => Holders.HolderKind.PensionOrganisation,
                    "healthInsurer" => Holders.HolderKind.HealthInsurer,
                    null => throw Problem("holder.kind", "missing: pensionOrganisation or healthInsurer"),
                    _ => throw Problem("holder.kind", "must be pensionOrganisation or healthInsurer"),
                };
                if (HolderKind == Holders.HolderKind.HealthInsurer && !HolderInstitutions.IsInsurerNumber(InstitutionCode))
                    throw Problem("institution.code", "an insurer's institution code is its 8-digit insurer number (保険者番号)");
                if (Intermediate is null && IntermediateAddress is null)
                    throw Problem("intermediate", "missing: a holder's copies and tokens go to its intermediate server (run it here, or name it in peers.intermediate)");
                break;
            case ServeRole.Network:
                ReadNetwork(file.Network ?? throw Problem("network", "missing: the network's settings and its registry of institutions"));
                break;
            case ServeRole.Jlis:
                if (file.Jlis?.JpkiPassphraseFile is { } passphraseFile)
                {
                    var text = File.ReadAllText(ExistingFile(passphraseFile, "jlis.jpkiPassphraseFile")).TrimEnd('\r', '\n');
                    JpkiPassphrase = text.Length > 0 ? text : throw Problem("jlis.jpkiPassphraseFile", "the file is empty");
                }
                JlisInstitutions = ReadJlisInstitutions(file.Jlis?.Institutions ?? []);
                break;
            case ServeRole.Portal:
                if (NetworkAddress is null) throw Problem("peers.network", "missing: the portal reads records, information and notices through the network");
                if (JlisAddress is null) throw Problem("peers.jlis", "missing: the portal checks cards and learns who logged in through J-LIS");
                if (NetworkLogPublicKey is null)
                    throw Problem("peers.networkPublicKeys",
                        "missing the network's log-signing key (its public-keys file, or peers.networkLogPublicKey): the portal's history page verifies the network's signed tree heads only under that pinned key");
                PortalWards = ReadPortalWards(file.Portal?.Wards ?? []);
                break;
        }
    }

    private List<Renkei.Portal.PortalWard> ReadPortalWards(List<PortalWardEntry?> entries)
    {
        var wards = new List<Renkei.Portal.PortalWard>();
        for (var i = 0; i < entries.Count; i++)
        {
            var where = $"portal.wards[{i}]";
            var entry = entries[i] ?? throw Problem(where, "null is not a ward");
            var parsed = LocalGovernmentCode.Parse(entry.Code ?? throw Problem(where + ".code", "missing: the ward's local government code"));
            if (!parsed.IsValid) throw Problem(where + ".code", "not a local government code: " + parsed.Error!.Message);
            if (wards.Any(w => w.Code == parsed.Value.Digits)) throw Problem(where + ".code", $"{parsed.Value.Digits} is listed twice");
            if (string.IsNullOrWhiteSpace(entry.Name)) throw Problem(where + ".name", "missing: the ward's name (e.g. 品川区)");
            var endpoint = ReadPeer(entry.Endpoint ?? throw Problem(where + ".endpoint", "missing: the ward service's address (its e-application inbox)"),
                where + ".endpoint");
            wards.Add(new Renkei.Portal.PortalWard(parsed.Value.Digits, entry.Name.Trim(), endpoint!));
        }
        return wards;
    }

    private void ReadNetwork(NetworkSection network)
    {
        if (network.ProviderTimeoutSeconds is { } seconds)
        {
            if (!double.IsFinite(seconds) || seconds is <= 0 or > 600) throw Problem("network.providerTimeoutSeconds", "must be more than 0 and at most 600");
            ProviderTimeout = TimeSpan.FromSeconds(seconds);
        }
        var entries = network.Institutions ?? throw Problem("network.institutions", "missing: the registry of institutions");
        var institutions = new List<InstitutionInfo>();
        for (var i = 0; i < entries.Count; i++)
        {
            var where = $"network.institutions[{i}]";
            var entry = entries[i] ?? throw Problem(where, "null is not an institution");
            var code = entry.Code ?? throw Problem(where + ".code", "missing");
            if (!InstitutionCodePattern().IsMatch(code) || code == NodeRoutes.NetworkInstitutionCode)
                throw Problem(where + ".code", "an institution code is 6–8 of 0-9 and A-Z (and not the network's own)");
            if (institutions.Any(x => x.Code == code)) throw Problem(where + ".code", $"{code} is registered twice");
            if (string.IsNullOrWhiteSpace(entry.Name)) throw Problem(where + ".name", "missing");
            var institutionClass = entry.Class is { Length: > 0 } text && char.IsLetter(text[0])
                && Enum.TryParse<InstitutionClass>(text, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                ? parsed
                : throw Problem(where + ".class", "must be one of " + string.Join(", ", Enum.GetNames<InstitutionClass>().Select(JsonNamingPolicy.CamelCase.ConvertName)));
            Uri? endpoint = null;
            if (entry.Endpoint is not null)
            {
                if (institutionClass is InstitutionClass.NumberingAuthority or InstitutionClass.Portal)
                    throw Problem(where + ".endpoint", "J-LIS and the portal provide nothing: they have no endpoint");
                endpoint = ReadPeer(entry.Endpoint, where + ".endpoint");
            }
            else if (institutionClass is not (InstitutionClass.NumberingAuthority or InstitutionClass.Portal))
                throw Problem(where + ".endpoint", "missing: the institution's intermediate server (the network forwards queries and delivers tokens there)");

            string signing, sealing;
            if (entry.PublicKeys is { } keysFile)
            {
                if (entry.SigningPublicKey is not null || entry.SealingPublicKey is not null)
                    throw Problem(where + ".publicKeys", "give either publicKeys or signingPublicKey and sealingPublicKey, not both");
                var keys = ReadPublicKeys(keysFile, where + ".publicKeys");
                if (keys.Code != code) throw Problem(where + ".publicKeys", $"the file holds the keys of {keys.Code}, not of {code}");
                signing = CheckPublicKey(keys.SigningPublicKey, where + ".publicKeys", sealing: false);
                sealing = CheckPublicKey(keys.SealingPublicKey, where + ".publicKeys", sealing: true);
            }
            else
            {
                signing = CheckPublicKey(entry.SigningPublicKey ?? throw Problem(where + ".signingPublicKey", "missing (or give publicKeys: a file)"),
                    where + ".signingPublicKey", sealing: false);
                sealing = CheckPublicKey(entry.SealingPublicKey ?? throw Problem(where + ".sealingPublicKey", "missing (or give publicKeys: a file)"),
                    where + ".sealingPublicKey", sealing: true);
            }
            institutions.Add(new InstitutionInfo(code, entry.Name.Trim(), institutionClass, endpoint, signing, sealing));
        }
        Institutions = institutions;
    }

    private List<JlisInstitution> ReadJlisInstitutions(List<JlisRegistryEntry?> entries)
    {
        var institutions = new List<JlisInstitution>();
        for (var i = 0; i < entries.Count; i++)
        {
            var where = $"jlis.institutions[{i}]";
            var entry = entries[i] ?? throw Problem(where, "null is not an institution");
            var code = entry.Code ?? throw Problem(where + ".code", "missing");
            if (!InstitutionCodePattern().IsMatch(code)) throw Problem(where + ".code", "an institution code is 6–8 of 0-9 and A-Z");
            if (institutions.Any(x => x.Code == code)) throw Problem(where + ".code", $"{code} is registered twice");
            if (string.IsNullOrWhiteSpace(entry.Name)) throw Problem(where + ".name", "missing");
            var role = JlisRoles.All.FirstOrDefault(r => string.Equals(r, entry.Role, StringComparison.OrdinalIgnoreCase))
                ?? throw Problem(where + ".role", "must be one of " + string.Join(", ", JlisRoles.All.Select(JsonNamingPolicy.CamelCase.ConvertName)));
            if (role == JlisRoles.Municipality && !LocalGovernmentCode.Parse(code).IsValid)
                throw Problem(where + ".code", "a ward's code is its local government code (e.g. 131091)");
            string signing;
            if (entry.PublicKeys is { } keysFile)
            {
                if (entry.SigningPublicKey is not null) throw Problem(where + ".publicKeys", "give either publicKeys or signingPublicKey, not both");
                var keys = ReadPublicKeys(keysFile, where + ".publicKeys");
                if (keys.Code != code) throw Problem(where + ".publicKeys", $"the file holds the keys of {keys.Code}, not of {code}");
                signing = CheckPublicKey(keys.SigningPublicKey, where + ".publicKeys", sealing: false);
            }
            else
            {
                signing = CheckPublicKey(entry.SigningPublicKey ?? throw Problem(where + ".signingPublicKey", "missing (or give publicKeys: a file)"),
                    where + ".signingPublicKey", sealing: false);
            }
            institutions.Add(new JlisInstitution(code, entry.Name.Trim(), role, signing));
        }
        return institutions;
    }

    private InstitutionPublicKeys ReadPublicKeys(string file, string where)
    {
        var path = ExistingFile(file, where);
        try
        {
            var keys = JsonSerializer.Deserialize<InstitutionPublicKeys>(File.ReadAllText(path), JsonDefaults.Options);
            if (keys is { Code: not null, SigningPublicKey: not null, SealingPublicKey: not null }) return keys;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
        }
        throw Problem(where, $"{System.IO.Path.GetFileName(path)} is not a public-keys file as 'renkei serve --config <file> --public-keys' writes it");
    }

    private DeploymentConfigException CheckPublicKeyProblem(string where, bool sealing) =>
        Problem(where, $"the {(sealing ? "sealing" : "signing")} key is not a P-256 public key in SubjectPublicKeyInfo DER base64");

    private string CheckPublicKey(string base64, string where, bool sealing)
    {
        try
        {
            var der = Convert.FromBase64String(base64);
            using AsymmetricAlgorithm key = sealing ? ECDiffieHellman.Create() : ECDsa.Create();
            if (key is ECDiffieHellman dh) dh.ImportSubjectPublicKeyInfo(der, out _);
            else ((ECDsa)key).ImportSubjectPublicKeyInfo(der, out _);
            if (key.KeySize != 256) throw CheckPublicKeyProblem(where, sealing);
            return base64;
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            throw CheckPublicKeyProblem(where, sealing);
        }
    }

    private Database DefaultDatabase(DataLayout layout) => Role switch
    {
        ServeRole.Network => layout.NetworkDatabase(),
        ServeRole.Jlis => layout.JlisDatabase(),
        ServeRole.Municipality => layout.MunicipalityDatabase(LocalGovernmentCode.ParseOrThrow(InstitutionCode)),
        _ => layout.HolderDatabase(InstitutionCode),
    };

    private string DefaultKeyDirectory(DataLayout layout) => Role switch
    {
        ServeRole.Network => layout.NetworkKeyDirectory,
        ServeRole.Jlis => System.IO.Path.GetDirectoryName(layout.JlisKeyFile)!,
        ServeRole.Municipality => System.IO.Path.GetDirectoryName(layout.MunicipalityAuditKeyFile(LocalGovernmentCode.ParseOrThrow(InstitutionCode)))!,
        ServeRole.Portal => System.IO.Path.GetDirectoryName(layout.PortalInstitutionKeyDirectory)!,
        _ => System.IO.Path.GetDirectoryName(layout.HolderInstitutionKeyDirectory(InstitutionCode))!,
    };

    /// <summary>A path from the file, relative to the file's directory.</summary>
    private string Resolve(string value, string where)
    {
        if (string.IsNullOrWhiteSpace(value)) throw Problem(where, "an empty path");
        return System.IO.Path.GetFullPath(value, System.IO.Path.GetDirectoryName(Path)!);
    }

    private string ExistingFile(string value, string where)
    {
        var path = Resolve(value, where);
        return File.Exists(path) ? path : throw Problem(where, $"{value}: no such file");
    }

    private static DeploymentConfigException Problem(string where, string problem) => new($"{where}: {problem}");

    /// <summary>A JSON error as "line N, setting: reason", without System.Text.Json's type names.</summary>
    private static string Describe(JsonException e)
    {
        var line = e.LineNumber is { } n ? $"line {n + 1}" : "the file";
        var where = e.Path is { Length: > 2 } p ? p[2..] : null;
        var message = e.Message;
        string reason;
        if (UnknownProperty().Match(message) is { Success: true } unknown)
        {
            reason = $"unknown setting '{unknown.Groups[1].Value}'";
            where = where is null || where == unknown.Groups[1].Value ? null : where;
        }
        else if (message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
            reason = "the value has the wrong type";
        else if (message.Contains("does not contain any JSON tokens", StringComparison.Ordinal))
            reason = "the file is empty";
        else
            reason = "malformed JSON" + (message.IndexOf(" Path:", StringComparison.Ordinal) is > 0 and var cut ? " (" + message[..cut].TrimEnd('.') + ")" : "");
        return where is null ? $"{line}: {reason}" : $"{line}, {where}: {reason}";
    }

    public void Dispose() => Tls?.Dispose();

    [GeneratedRegex("^[0-9A-Z]{6,8}$")]
    private static partial Regex InstitutionCodePattern();

    [GeneratedRegex("The JSON property '([^']{1,64})' could not be mapped")]
    private static partial Regex UnknownProperty();
}

/// <summary>A deployment configuration file that is wrong: the message names the setting and the problem (never a secret).</summary>
public sealed class DeploymentConfigException(string message) : Exception(message);
