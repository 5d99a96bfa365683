using Renkei.Core.Numbers;
using Renkei.Infrastructure;

namespace Renkei.Country;

/// <summary>
/// Where each institution keeps its own database and keys under the data directory. Each institution
/// has its own files: no module ever opens another's.
/// <code>
/// &lt;data&gt;/jlis/jlis.db                     J-LIS numbering database
/// &lt;data&gt;/jlis/keys/numbering.key          J-LIS numbering key (created on first run, mode 600)
/// &lt;data&gt;/municipalities/&lt;code&gt;/register.db  one resident register per municipality (also holds its operation log)
/// &lt;data&gt;/municipalities/&lt;code&gt;/keys/audit-signing.key  the operation log's checkpoint key (ECDSA P-256, PKCS#8 PEM, mode 600; .pub beside it)
/// &lt;data&gt;/municipalities/&lt;code&gt;/keys/totp.key   the key that encrypts staff TOTP secrets at rest (32 random bytes, mode 600)
/// &lt;data&gt;/intermediate/&lt;code&gt;/intermediate.db  an information holder's intermediate server (中間サーバー), its own database
/// &lt;data&gt;/network/network.db                 the information provision network (情報提供ネットワークシステム)
/// &lt;data&gt;/network/keys/                     the network's token master key and signing/sealing keys
/// &lt;data&gt;/jlis/keys/institution/           J-LIS's signing and sealing keys as a network institution
/// &lt;data&gt;/jlis/keys/jpki/                   the JPKI CAs' passphrase-protected key file
/// &lt;data&gt;/municipalities/&lt;code&gt;/keys/institution/  the ward's signing and sealing keys as a network institution
/// &lt;data&gt;/holders/&lt;code&gt;/holder.db          the pension organisation's or a health insurer's own records
/// &lt;data&gt;/holders/&lt;code&gt;/keys/institution/   its signing and sealing keys
/// &lt;data&gt;/portal/keys/institution/           the citizen portal's (マイナポータル) signing and sealing keys (it keeps no database)
/// &lt;data&gt;/issuance-centre/centre.db          the certificate issuance centre's (証明書交付センター) transaction log
/// &lt;data&gt;/issuance-centre/keys/institution/  its signing and sealing keys (registered at J-LIS, pinned by the wards)
/// &lt;data&gt;/kiosks/&lt;code&gt;/keys/              a kiosk terminal's signing key (pinned by the centre; it keeps nothing else)
/// </code>
/// A deployment on PostgreSQL names each role's database in its configuration file (<c>Ward:Database</c> …, see
/// <see cref="CountryRoles"/>); the data directory is the demo's and the batch commands' default.
/// A country that keeps its databases elsewhere (benchmarks and tests on PostgreSQL, a schema per institution) passes
/// <c>databases</c>: it gets each institution's database by name (<c>jlis</c>, <c>network</c>, <c>municipality-&lt;code&gt;</c>,
/// <c>intermediate-&lt;code&gt;</c>, <c>holder-&lt;code&gt;</c>, <c>issuance-centre</c>) and the files stay for the keys.
/// </summary>
public sealed class DataLayout(DirectoryInfo root, Func<string, Database>? databases = null)
{
    public DirectoryInfo Root { get; } = root;

    public string JlisDirectory => Path.Combine(Root.FullName, "jlis");
    public string JlisKeyFile => Path.Combine(JlisDirectory, "keys", "numbering.key");

    public string JlisDatabaseFile => Path.Combine(JlisDirectory, "jlis.db");

    public Database JlisDatabase() => Named("jlis") ?? Database.Sqlite(JlisDatabaseFile);

    public string MunicipalityDirectory(LocalGovernmentCode code) => Path.Combine(Root.FullName, "municipalities", code.Digits);

    public string MunicipalityDatabaseFile(LocalGovernmentCode code) => Path.Combine(MunicipalityDirectory(code), "register.db");

    public Database MunicipalityDatabase(LocalGovernmentCode code) => Named("municipality-" + code.Digits) ?? Database.Sqlite(MunicipalityDatabaseFile(code));

    /// <summary>The key that signs the municipality's operation-log checkpoints; its public key is the same path with .pub.</summary>
    public string MunicipalityAuditKeyFile(LocalGovernmentCode code) => Path.Combine(MunicipalityDirectory(code), "keys", "audit-signing.key");

    /// <summary>The key file the ward's <c>StaffDirectory</c> encrypts TOTP secrets with (created on first use).</summary>
    public string MunicipalityTotpKeyFile(LocalGovernmentCode code) => Path.Combine(MunicipalityDirectory(code), "keys", "totp.key");

    /// <summary>The database of the intermediate server that holds the municipality's copies (never its register's).</summary>
    public Database IntermediateDatabase(LocalGovernmentCode code) => IntermediateDatabase(code.Digits);

    /// <summary>The intermediate server of any information holder, by institution code (a ward, the pension organisation, an insurer).</summary>
    public Database IntermediateDatabase(string institutionCode) =>
        Named("intermediate-" + institutionCode) ?? Database.Sqlite(IntermediateDatabaseFile(institutionCode));

    public string IntermediateDatabaseFile(string institutionCode) => Path.Combine(Root.FullName, "intermediate", institutionCode, "intermediate.db");

    /// <summary>The ward's signing and sealing keys as an institution on the network.</summary>
    public string MunicipalityInstitutionKeyDirectory(LocalGovernmentCode code) => Path.Combine(MunicipalityDirectory(code), "keys", "institution");

    public string NetworkDirectory => Path.Combine(Root.FullName, "network");
    public string NetworkKeyDirectory => Path.Combine(NetworkDirectory, "keys");

    public string NetworkDatabaseFile => Path.Combine(NetworkDirectory, "network.db");

    public Database NetworkDatabase() => Named("network") ?? Database.Sqlite(NetworkDatabaseFile);

    /// <summary>J-LIS's signing and sealing keys as an institution on the network (it asks for tokens).</summary>
    public string JlisInstitutionKeyDirectory => Path.Combine(JlisDirectory, "keys", "institution");

    /// <summary>Where the JPKI certificate authorities keep their passphrase-protected key file.</summary>
    public string JpkiKeyDirectory => Path.Combine(JlisDirectory, "keys", "jpki");

    public string HolderDirectory(string institutionCode) => Path.Combine(Root.FullName, "holders", institutionCode);

    public string HolderDatabaseFile(string institutionCode) => Path.Combine(HolderDirectory(institutionCode), "holder.db");

    public Database HolderDatabase(string institutionCode) => Named("holder-" + institutionCode) ?? Database.Sqlite(HolderDatabaseFile(institutionCode));

    public string HolderInstitutionKeyDirectory(string institutionCode) => Path.Combine(HolderDirectory(institutionCode), "keys", "institution");

    /// <summary>The citizen portal's folder; it holds only its keys (sessions live in memory).</summary>
    public string PortalDirectory => Path.Combine(Root.FullName, "portal");

    /// <summary>The citizen portal's signing and sealing keys as an institution on the network (class Portal).</summary>
    public string PortalInstitutionKeyDirectory => Path.Combine(PortalDirectory, "keys", "institution");

    /// <summary>The certificate issuance centre's folder: its transaction log and its keys.</summary>
    public string IssuanceCentreDirectory => Path.Combine(Root.FullName, "issuance-centre");

    public string IssuanceCentreDatabaseFile => Path.Combine(IssuanceCentreDirectory, "centre.db");

    public Database IssuanceCentreDatabase() => Named("issuance-centre") ?? Database.Sqlite(IssuanceCentreDatabaseFile);

    /// <summary>The issuance centre's signing and sealing keys (registered at J-LIS, pinned by the wards).</summary>
    public string IssuanceCentreInstitutionKeyDirectory => Path.Combine(IssuanceCentreDirectory, "keys", "institution");

    /// <summary>A kiosk terminal's keys (its signing key, pinned by the issuance centre).</summary>
    public string KioskKeyDirectory(string code) => Path.Combine(Root.FullName, "kiosks", code, "keys");

    public bool MunicipalityExists(LocalGovernmentCode code) => File.Exists(MunicipalityDatabaseFile(code));

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Database> _named = new(StringComparer.Ordinal);

    /// <summary>The database <c>databases</c> gave for <paramref name="name"/>, asked once per name.</summary>
    private Database? Named(string name) => databases is null ? null : _named.GetOrAdd(name, databases);
}
