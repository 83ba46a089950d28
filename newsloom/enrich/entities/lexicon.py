"""Small per-language word lists the mention finder and the typer lean on.

All entries are ``norm``-ed (casefolded, no diacritics). Languages are merged where a word
means the same in all of them: a Romanian title word never names an entity in Italian either.
"""

# ruff: noqa: SIM905  (word lists read best as one string)

from __future__ import annotations

# Lowercase words allowed inside a capitalised name ("Corea del Nord", "Ludwig van Beethoven").
CONNECTORS = frozenset(
    """de del della dello dei degli delle di da dal dalla do dos das du des d von van der den
        al ale of bin ibn ben""".split()
)
# Words allowed only as the second of two connectors: "de la", "of the", "de los".
SECOND_CONNECTORS = frozenset(["la", "le", "los", "las", "the", "l"])
# Connectors that mean "of" and may glue an organisation to the place it belongs to; the
# finder splits there when the right-hand side is a known place ("Ministerul de Externe al
# Seulului" → the ministry, and Seoul).
GENITIVE_CONNECTORS = frozenset(["al", "ale", "of", "del", "della", "dello", "dei", "degli", "delle", "des", "du"])
# Prefixes elided with an apostrophe in front of a name: l'Ucraina, dell'Ucraina, d'Italia.
ELISIONS = frozenset(
    """l d dell all dall nell sull coll dagl degl agl negl sugl un qu lorsqu jusqu puisqu c j
        m n s t""".split()
)

# Words that are capitalised at a name's edge but are titles, not names (stripped from the
# start of a mention): "Presidente Vladimir Putin", "Preşedintele rus ...".
TITLES = frozenset(
    """presedintele presedinte presedintelui presidente president presidenten prasident
        presidenta president's premierul premier premiere prim-ministrul ministrul ministro
        ministre minister ministra viceministrul viceministro vice vicepresedintele
        vicepresidente liderul lider leader leaderul dittatore dictatorul dictator diktator
        cancelarul cancelliere chancellor kanzler kanzlerin chanceliere regele re king konig
        roi rey regina queen papa pope principe prince printul mr mrs ms dr prof sig sigra
        signor signora dl dna domnul doamna herr frau m mme mlle monsieur madame senor senora
        don dona sir lord lady general generalul generale gen col colonel colonelul ambasadorul
        ambasciatore ambassador botschafter ambassadeur embajador secretarul segretario
        secretary sekretar secretaire secretario portavoce purtatorul spokesman spokeswoman
        spokesperson sprecher sprecherin porte-parole portavoz consilierul consigliere adviser
        advisor berater conseiller asesor profesor professore professor professeur director
        directorul direttore directeur sef seful capo chief chef jefe sindaco mayor primarul
        burgermeister maire alcalde senator senatore senatorul senateur deputatul deputato
        deputy abgeordnete depute diputado comandantul comandante commander kommandeur
        commandant ayatollah imam sheikh seicul emir emirul sultan sultanul tsar tarul zar
        patriarch patriarhul patriarca cardinal cardinalul cardinale episcopul vescovo bishop
        sfantul santo san saint sankt st ypourgos prothypourgos proedros ekprosopos dimarchos
        ministr prezident premer glava mer predsedatel predstavitel gendirektor direktor
        evrokomissar kantsler posol general sekretar spiker""".split()
)

# Capitalised words that are not entities wherever they stand: days, months, function words
# that a bad translation capitalised, boilerplate.
STOP = frozenset(
    """luni marti miercuri joi vineri sambata duminica lunedi martedi mercoledi giovedi
        venerdi sabato domenica monday tuesday wednesday thursday friday saturday sunday montag
        dienstag mittwoch donnerstag freitag samstag sonntag lundi mardi mercredi jeudi
        vendredi samedi dimanche lunes martes miercoles jueves viernes sabado domingo ianuarie
        februarie martie aprilie mai iunie iulie august septembrie octombrie noiembrie
        decembrie gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre
        novembre dicembre january february march april may june july september october november
        december januar februar marz juni juli oktober dezember janvier fevrier mars avril juin
        juillet aout septembre octobre novembre decembre enero febrero abril mayo junio julio
        septiembre octubre noviembre diciembre i a an the in on at to for and or but if as by
        per con su tra fra nel nella nei negli con col il lo gli le la un una uno dei della al
        alla ai agli sul sulla e o ma se che non si ci ne ha ho hanno era sono questo questa
        quello quella questi queste secondo durante dopo prima anche inoltre tuttavia dopotutto
        mentre pero quindi ecco ce cea cei cele care si sau dar daca ca in la pe cu din de
        pentru prin dupa inainte acest aceasta acesti aceste ei ele el ea noi voi lor sa nu da
        foto video leggi commenti read more citeste vezi foto: photo source sursa fonte about
        author reply leave top back home news world salta contenuto argomenti correlati altre
        notizie recomandari articol recomandat lascia commento iscriviti der die das dem des
        ein eine einen einem einer eines im am zum zur vom beim ins les un une du au aux los
        las unos unas lo al del el o os um uma
        jan feb apr jun jul aug sep sept oct nov dec
        he she we they you his him her hers its our ours their theirs them me my mine""".split()
) | frozenset(  # contractions, as ``text.norm`` keys them ("I'm" → "i m")
    ["i m", "i ve", "i d", "i ll", "he s", "she s", "it s", "we re", "they re", "you re"]
)

# First (head) words that make a capitalised phrase an organisation.
ORG_HEADS = frozenset(
    """ministerul ministerului ministero ministry ministerium ministere ministerio
        departamentul departamentului dipartimento department departement departamento
        consiliul consiliului consiglio council rat conseil consejo universitatea universitatii
        universita university universitat universite universidad agentia agentiei agenzia
        agency agentur agence agencia comitetul comitato committee komitee comite accademia
        academia academiei academy akademie academie partidul partidului partito party partei
        parti partido banca bancii bank banque banco guvernul guvernului governo government
        regierung gouvernement gobierno parlamentul parlamentului parlamento parliament
        parlament senatul senato senate senat congresul congresso congress kongress congres
        congreso institutul institutului istituto institute institut instituto fondul fondo
        fund fonds organizatia organizatiei organizzazione organization organisation
        organizacion tribunalul tribunale tribunal court curtea corte gericht cour commissione
        commission comisia comisiei kommission comision armata esercito army armee ejercito
        marina navy serviciul servizio service dienst forțele fortele forze forces streitkrafte
        agenzia biroul ufficio office buro bureau oficina compania companiei compagnia company
        firma societatea societa society gesellschaft societe sociedad grupul gruppo group
        gruppe groupe grupo uniunea unione union cancelaria cancelleria chancellery casa""".split()
)
# Last words that make a phrase an organisation ("Dongguk University", "Getty Images").
ORG_TAILS = frozenset(
    """university universitat college institute inc ltd llc corp corporation company group
        news times post press agency images tv radio bank party council committee ministry
        department foundation association novosti""".split()
)
# Head or tail words that make a phrase a place.
LOC_HEADS = frozenset(
    """piata piazza square place plaza platz strada via street strasse calle rue bulevardul
        cosmodromul cosmodromo cosmodrome kosmodrom regiunea regione region regiao provincia
        province provinz marea mar sea mer meer oceanul oceano ocean golful golfo gulf golfe
        muntii monti mount mountains monte lacul lago lake see lac peninsula penisola halbinsel
        insula isola island insel ile isla orientul oriente east far middle aeroportul
        aeroporto airport flughafen aeroport aeropuerto portul porto port hafen puerto valea
        valle valley tal vallee raul rio river fluss fleuve fiume orasul citta city stadt ville
        ciudad districtul distretto district bezirk oblast krai republica repubblica republic
        republik republique republica estremo""".split()
)
LOC_TAILS = frozenset(
    """square street sea ocean island islands mountains river region oblast krai city valley
        gulf bay peninsula airport""".split()
)

# Words just before a name that say it is a person.
PER_CUES = TITLES | frozenset(
    """lui pe sora sorella sister schwester soeur hermana fratele fratello brother bruder
        frere hermano fiul figlio son sohn fils hijo fiica figlia daughter tochter fille hija
        sotia moglie wife frau femme esposa sotul marito husband mann mari esposo expertul
        esperto expert analistul analista analyst jurnalistul giornalista journalist agentul
        agente presedintelui rus russo russian nord-coreean nordcoreano coreano american
        americano ucrainean ucraino ucraina""".split()
)

# Short words that are stop words at a name's start but can end a name ("Kim Jong Un",
# "Kim Jong Il", "Ban Ki-moon"): kept at the end of a run.
NAME_SYLLABLES = frozenset(["un", "il", "in", "e", "a", "i", "o", "an", "el", "la", "le", "lo", "yo", "ho", "do"])

# Word parts that make a capitalised word a role, a kind of place or organisation rather
# than a name (German writes them capitalised and glued to the name: "Veltrix-Chefin Céline
# Marchetti", "Hafenstadt Brăila", "Museumsdirektorin"). Matched inside norm-ed words.
ROLE_STEMS = (
    "minister", "chef", "direktor", "leiter", "sprecher", "kommissar", "prasident", "ratin",
    "stadtrat", "sekretar", "burgermeister", "gastgeber", "sammler", "zulieferer", "konzern",
    "betreiber", "hersteller", "grunder", "vorsitzende", "expert", "anwalt", "anwaltin",
    "bischof", "trainer", "kapitan", "gewerkschaft", "hafenstadt", "stadtteil",
    "kanton", "bundesland", "maschinenbauer", "start-up", "startup", "unternehmen", "zentrum",
    "angaben", "anwendung", "guterbahn", "spediteur", "reederei", "maschinenbauer",
)
# German words before a common noun: articles, determiners, contractions.
DE_DETERMINERS = frozenset(
    """der die das den dem des ein eine einen einem einer eines kein keine keinen keinem
        keiner sein seine seinen seinem seiner ihr ihre ihren ihrem ihrer unser unsere unseren
        dieser diese diesen diesem dieses jeder jede jeden jedem jedes im am zum zur vom beim
        ins ans aufs furs mit einem alle allen vielen mehrere""".split()
)


def _months() -> frozenset[str]:
    from newsloom.enrich.entities.text import norm

    words = """Ιανουάριος Ιανουαρίου Φεβρουάριος Φεβρουαρίου Μάρτιος Μαρτίου Απρίλιος Απριλίου Μάιος
        Μαΐου Ιούνιος Ιουνίου Ιούλιος Ιουλίου Αύγουστος Αυγούστου Σεπτέμβριος Σεπτεμβρίου
        Οκτώβριος Οκτωβρίου Νοέμβριος Νοεμβρίου Δεκέμβριος Δεκεμβρίου Δευτέρα Τρίτη Τετάρτη
        Πέμπτη Παρασκευή Σάββατο Κυριακή Январь Января Февраль Февраля Март Марта Апрель Апреля
        Май Мая Июнь Июня Июль Июля Август Августа Сентябрь Сентября Октябрь Октября Ноябрь
        Ноября Декабрь Декабря Понедельник Вторник Среда Четверг Пятница Суббота Воскресенье""".split()
    return frozenset(norm(w) for w in words)


STOP = STOP | _months()
