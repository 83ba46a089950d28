"""The boilerplate vocabulary of the line cleaner, one table per language.

This is data, not per-article rules: every entry is a phrase a reader would call
boilerplate wherever it stands on a line of its own (or, for the prefix and substring
categories, at the start of / inside a short line). Entries are written in natural case;
``lines.py`` casefolds them once when it compiles the table. To support a new language or
site family, add phrases here; the cleaner's logic does not change.

Categories (how ``lines.py`` matches them; the reason code it records):

- ``teaser``       whole line, or the phrase followed by ``:``/dash and a teaser headline, or
                   the phrase in capitals followed by a headline ("READ Foo…") → ``teaser``;
                   also opens a teaser block (the headlines and blurbs that follow it).
- ``read_more``    the "read more" link that ends a teaser; whole line, or with ``:`` and a
                   headline → ``teaser``; opens no block (the next headline is not its own).
- ``teaser_by``    phrase + a short source name ("Articol recomandat de sport.ro") → ``teaser``.
- ``comments``     heading of a comment section; when it stands in the second half of the
                   text everything after it goes too → ``comments``.
- ``comment_ui``   whole line (sort order, reply buttons) → ``comments``.
- ``comment_form`` line starts with it (the comment-form notices) → ``comments``.
- ``navigation``   whole line → ``navigation``.
- ``share``        whole line → ``share``;  ``share_on``: phrase + a short rest → ``share``.
- ``author``       whole line → ``author-box``.
- ``ads``          whole line → ``advertisement``.
- ``cookie``       a short line containing it → ``cookie-notice``.
- ``newsletter_noun`` + ``newsletter_verb``: a short line containing one of each → ``newsletter``.
- ``footer``       a short line containing it → ``footer``.
- ``sections``     a section label directly under the title ("World News") → ``section-label``.
- ``credit_words`` words that, with agency names, make up a photo-credit line → ``photo-credit``.
- ``caption_marks`` "(left)", "(dreapta)": a one-line paragraph above a credit holding one is
                   the photo's caption → ``caption``.
- ``months``, ``weekdays``, ``date_words``: the tokens of a dateline ("June 17, 2024",
                   "Pubblicato il 17 giugno 2024"); datelines are kept, never taken as title.
"""

from __future__ import annotations

# fmt: off
VOCABULARY: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "teaser": (
            "read also", "also read", "read next", "read", "related", "related articles", "related stories",
            "related posts", "related news", "related content", "related coverage", "related topics", "more news",
            "more stories", "you may also like", "you might also like", "recommended", "recommended for you",
            "recommended stories", "see also", "more on this story", "more on this topic", "most read",
            "most popular", "trending now", "latest news", "top stories", "don't miss", "editor's picks",
        ),
        "read_more": ("read more", "more to read"),
        "teaser_by": ("recommended by", "sponsored by", "promoted by", "presented by"),
        "comments": (
            "leave a reply", "leave a comment", "comments", "post a comment", "add a comment",
            "join the conversation", "reader comments", "show comments", "view comments",
        ),
        "comment_ui": (
            "reply", "cancel reply", "newest", "oldest", "most voted", "most recent", "top comments", "load comments",
            "sort by",
        ),
        "comment_form": (
            "your email address will not be published", "required fields are marked",
            "save my name, email, and website in this browser", "you must be logged in to post a comment",
            "this site uses akismet to reduce spam", "notify me of follow-up comments", "notify me of new posts",
        ),
        "navigation": (
            "skip to content", "skip to main content", "skip to navigation", "jump to content", "jump to navigation",
            "back to top", "to top", "go to top", "scroll to top", "main menu", "menu", "toggle navigation",
            "open menu", "close menu", "search", "home", "close", "previous article", "next article", "previous",
            "next", "load more", "show more", "view all", "sign in", "log in", "login", "subscribe", "register",
        ),
        "share": (
            "share", "share this", "share this article", "share this story", "share article", "tweet", "print",
            "email", "e-mail", "copy link", "link copied", "facebook", "twitter", "whatsapp", "linkedin", "telegram",
            "pinterest", "reddit",
        ),
        "share_on": ("share on", "share via", "share to", "follow us on", "follow us"),
        "author": ("about the author", "about author", "author bio", "author"),
        "ads": (
            "advertisement", "advertising", "sponsored", "sponsored content", "ad", "ads", "paid content",
            "partner content", "scroll to continue with content", "story continues below advertisement",
            "article continues below", "continue reading below",
        ),
        "cookie": (
            "we use cookies", "this site uses cookies", "this website uses cookies", "uses cookies to",
            "cookie policy", "cookie settings", "accept cookies", "accept all cookies", "manage cookies",
            "use of cookies", "cookie preferences",
        ),
        "newsletter_noun": ("newsletter",),
        "newsletter_verb": ("sign up", "signup", "subscribe", "register", "get our", "join"),
        "footer": ("all rights reserved",),
        "sections": (
            "world news", "world", "news", "politics", "international", "business", "opinion", "europe", "asia",
            "breaking news",
        ),
        "credit_words": (
            "photo", "photos", "image", "images", "picture", "credit", "credits", "source", "file", "file photo",
            "contributor", "contributors", "by", "via", "and", "handout", "pool", "illustration",
        ),
        "caption_marks": (
            "left", "right", "centre", "center", "l", "r", "c", "pictured", "from left", "front", "back", "top",
            "bottom",
        ),
        "months": (
            "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
            "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
            "dec",
        ),
        "weekdays": (
            "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "tues", "wed",
            "thu", "thurs", "fri", "sat", "sun",
        ),
        "date_words": (
            "published", "updated", "posted", "last", "on", "at", "am", "pm", "utc", "gmt", "cet", "cest", "eet",
            "eest", "est", "edt", "pst", "pdt", "bst", "st", "nd", "rd", "th", "of", "a", "m", "p",
        ),
    },
    "de": {
        "teaser": (
            "lesen sie auch", "auch interessant", "das könnte sie auch interessieren", "das könnte sie interessieren",
            "mehr zum thema", "weitere artikel", "verwandte artikel", "ähnliche artikel", "empfehlungen",
            "meistgelesen", "meistgelesene artikel", "auch lesenswert", "mehr dazu", "siehe auch",
            "passend zum thema",
        ),
        "read_more": ("weiterlesen", "mehr lesen", "lesen sie mehr"),
        "teaser_by": ("empfohlen von", "gesponsert von", "präsentiert von"),
        "comments": (
            "kommentare", "kommentar schreiben", "schreibe einen kommentar", "hinterlasse einen kommentar",
            "leserkommentare", "kommentare anzeigen",
        ),
        "comment_ui": ("antworten", "antwort abbrechen", "neueste", "älteste", "beliebteste"),
        "comment_form": (
            "deine e-mail-adresse wird nicht veröffentlicht", "ihre e-mail-adresse wird nicht veröffentlicht",
            "erforderliche felder sind mit * markiert", "erforderliche felder sind markiert",
            "meinen namen, meine e-mail-adresse und meine website in diesem browser speichern",
        ),
        "navigation": (
            "zum inhalt springen", "zum hauptinhalt springen", "direkt zum inhalt", "zur navigation", "nach oben",
            "zurück nach oben", "seitenanfang", "menü", "hauptmenü", "suche", "startseite", "schließen", "anmelden",
            "einloggen", "abonnieren", "vorheriger artikel", "nächster artikel", "mehr anzeigen", "alle anzeigen",
        ),
        "share": ("teilen", "artikel teilen", "drucken", "per e-mail versenden", "link kopieren"),
        "share_on": ("teilen auf", "teilen per", "folgen sie uns auf", "folgen sie uns", "folge uns auf"),
        "author": ("über den autor", "über die autorin", "zur person", "autor", "autorin"),
        "ads": (
            "anzeige", "werbung", "gesponsert", "advertorial", "weiter nach der anzeige",
            "artikel wird unter der anzeige fortgesetzt",
        ),
        "cookie": (
            "wir verwenden cookies", "wir nutzen cookies", "diese website verwendet cookies",
            "diese webseite verwendet cookies", "cookie-einstellungen", "cookies akzeptieren",
            "alle cookies akzeptieren", "cookie-richtlinie", "verwendung von cookies", "einsatz von cookies",
        ),
        "newsletter_noun": ("newsletter",),
        "newsletter_verb": (
            "anmelden", "abonnieren", "bestellen", "melde dich", "melden sie sich", "registrieren", "eintragen",
        ),
        "footer": ("alle rechte vorbehalten",),
        "sections": ("politik", "ausland", "inland", "welt", "wirtschaft", "nachrichten", "panorama"),
        "credit_words": ("foto", "fotos", "bild", "bilder", "quelle", "archiv", "bildquelle", "von"),
        "caption_marks": ("links", "rechts", "mitte", "l", "r", "vorne", "hinten", "im bild"),
        "months": (
            "januar", "jänner", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober",
            "november", "dezember", "jan", "feb", "mär", "apr", "jun", "jul", "aug", "sep", "okt", "nov", "dez",
        ),
        "weekdays": (
            "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonnabend", "sonntag", "mo", "di",
            "mi", "do", "fr", "sa", "so",
        ),
        "date_words": ("veröffentlicht", "aktualisiert", "zuletzt", "am", "um", "uhr", "stand", "mez", "mesz"),
    },
    "fr": {
        "teaser": (
            "lire aussi", "à lire aussi", "a lire aussi", "à lire également", "lire également", "voir aussi",
            "sur le même sujet", "articles liés", "articles similaires", "à découvrir aussi", "les plus lus",
            "vous aimerez aussi", "dans la même rubrique", "en savoir plus", "à voir aussi",
        ),
        "read_more": ("lire la suite",),
        "teaser_by": ("recommandé par", "sponsorisé par", "proposé par"),
        "comments": (
            "commentaires", "laisser un commentaire", "laissez un commentaire", "ajouter un commentaire", "réactions",
        ),
        "comment_ui": ("répondre", "annuler la réponse", "les plus récents", "les plus anciens", "plus récents"),
        "comment_form": (
            "votre adresse e-mail ne sera pas publiée", "votre adresse de messagerie ne sera pas publiée",
            "les champs obligatoires sont indiqués avec",
            "enregistrer mon nom, mon e-mail et mon site dans le navigateur",
        ),
        "navigation": (
            "aller au contenu", "aller au contenu principal", "passer au contenu", "retour en haut", "haut de page",
            "retour en haut de page", "rechercher", "accueil", "fermer", "se connecter", "connexion", "s'abonner",
            "article précédent", "article suivant",
        ),
        "share": ("partager", "partager cet article", "imprimer", "envoyer par e-mail", "copier le lien"),
        "share_on": ("partager sur", "suivez-nous sur", "suivez-nous"),
        "author": ("à propos de l'auteur", "a propos de l'auteur", "l'auteur", "auteur"),
        "ads": (
            "publicité", "contenu sponsorisé", "sponsorisé", "la suite après cette publicité",
            "suite après la publicité",
        ),
        "cookie": (
            "nous utilisons des cookies", "ce site utilise des cookies", "utilisation des cookies",
            "accepter les cookies", "paramètres des cookies", "politique de cookies", "gérer les cookies",
        ),
        "newsletter_noun": ("newsletter", "lettre d'information"),
        "newsletter_verb": ("inscrivez-vous", "abonnez-vous", "s'inscrire", "inscription", "recevez"),
        "footer": ("tous droits réservés",),
        "sections": ("monde", "international", "politique", "actualité", "actualités", "économie"),
        "credit_words": ("photo", "crédit", "crédits", "illustration", "archives", "par"),
        "caption_marks": ("à gauche", "à droite", "au centre", "g", "d"),
        "months": (
            "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
            "novembre", "décembre", "janv", "févr", "avr", "juil", "sept", "oct", "déc",
        ),
        "weekdays": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
        "date_words": ("publié", "mis", "à", "jour", "le", "h", "par"),
    },
    "es": {
        "teaser": (
            "lee también", "lea también", "te puede interesar", "también te puede interesar", "le puede interesar",
            "también le puede interesar", "puede interesarte", "noticias relacionadas", "artículos relacionados",
            "contenido relacionado", "relacionado", "relacionados", "más noticias", "lo más leído", "más leídas",
            "ver también", "te recomendamos", "recomendado", "recomendados", "más información",
        ),
        "read_more": ("leer más", "sigue leyendo"),
        "teaser_by": ("recomendado por", "patrocinado por"),
        "comments": (
            "comentarios", "deja un comentario", "deja una respuesta", "dejar un comentario", "escribe un comentario",
            "añadir comentario",
        ),
        "comment_ui": ("responder", "cancelar respuesta", "más recientes", "más antiguos", "más votados"),
        "comment_form": (
            "tu dirección de correo electrónico no será publicada",
            "su dirección de correo electrónico no será publicada", "tu correo electrónico no será publicado",
            "los campos obligatorios están marcados con",
            "guarda mi nombre, correo electrónico y web en este navegador",
        ),
        "navigation": (
            "saltar al contenido", "ir al contenido", "saltar al contenido principal", "volver arriba", "ir arriba",
            "subir", "menú", "buscar", "inicio", "cerrar", "iniciar sesión", "suscríbete", "artículo anterior",
            "artículo siguiente",
        ),
        "share": ("compartir", "compartir este artículo", "imprimir", "enviar por correo", "copiar enlace"),
        "share_on": ("compartir en", "síguenos en", "síguenos"),
        "author": ("sobre el autor", "acerca del autor", "autor"),
        "ads": ("publicidad", "anuncio", "contenido patrocinado", "patrocinado"),
        "cookie": (
            "utilizamos cookies", "usamos cookies", "este sitio web utiliza cookies", "este sitio utiliza cookies",
            "política de cookies", "aceptar cookies", "configuración de cookies",
        ),
        "newsletter_noun": ("newsletter", "boletín"),
        "newsletter_verb": ("suscríbete", "suscribirse", "suscríbase", "regístrate", "apúntate", "recibe"),
        "footer": ("todos los derechos reservados",),
        "sections": ("internacional", "mundo", "política", "españa", "economía", "noticias", "actualidad"),
        "credit_words": ("foto", "fotografía", "imagen", "fuente", "archivo", "por"),
        "caption_marks": ("izquierda", "derecha", "centro", "a la izquierda", "a la derecha", "i", "d"),
        "months": (
            "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "setiembre",
            "octubre", "noviembre", "diciembre", "ene", "abr", "ago", "dic",
        ),
        "weekdays": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
        "date_words": ("publicado", "actualizado", "de", "del", "el", "a", "las", "hs", "h"),
    },
    "it": {
        "teaser": (
            "leggi anche", "leggi pure", "potrebbe interessarti", "ti potrebbe interessare",
            "potrebbe interessarti anche", "potrebbero interessarti", "articoli correlati", "argomenti correlati",
            "notizie correlate", "correlati", "altre notizie", "ultime notizie", "più letti", "i più letti",
            "da non perdere", "vedi anche", "approfondisci", "approfondimenti", "consigliati", "ti consigliamo",
            "ultimi articoli",
        ),
        "read_more": ("leggi di più", "leggi tutto", "continua a leggere"),
        "teaser_by": ("consigliato da", "sponsorizzato da", "raccomandato da"),
        "comments": (
            "commenti", "lascia un commento", "lascia una risposta", "scrivi un commento", "aggiungi un commento",
            "partecipa alla discussione",
        ),
        "comment_ui": (
            "rispondi", "annulla risposta", "più recente", "più recenti", "meno recente", "più vecchio", "più votati",
            "più votato", "i più votati",
        ),
        "comment_form": (
            "il tuo indirizzo email non sarà pubblicato", "il tuo indirizzo e-mail non sarà pubblicato",
            "l'indirizzo email non verrà pubblicato", "i campi obbligatori sono contrassegnati",
            "salva il mio nome, email e sito web in questo browser",
        ),
        "navigation": (
            "salta al contenuto", "vai al contenuto", "salta al contenuto principale", "torna su", "torna in alto",
            "cerca", "home page", "homepage", "chiudi", "accedi", "abbonati", "articolo precedente",
            "articolo successivo", "mostra di più", "carica altri",
        ),
        "share": ("condividi", "condividi questo articolo", "stampa", "invia per email", "copia link"),
        "share_on": ("condividi su", "seguici su", "seguici"),
        "author": ("sull'autore", "informazioni sull'autore", "l'autore", "autore"),
        "ads": ("pubblicità", "contenuto sponsorizzato", "sponsorizzato", "continua a leggere dopo la pubblicità"),
        "cookie": (
            "utilizziamo i cookie", "usiamo i cookie", "questo sito utilizza cookie", "questo sito usa cookie",
            "questo sito utilizza i cookie", "informativa sui cookie", "accetta i cookie", "gestisci i cookie",
            "impostazioni dei cookie",
        ),
        "newsletter_noun": ("newsletter",),
        "newsletter_verb": ("iscriviti", "iscrizione", "abbonati", "ricevi", "registrati"),
        "footer": ("tutti i diritti riservati", "riproduzione riservata"),
        "sections": (
            "esteri", "mondo", "politica", "cronaca", "attualità", "economia", "notizie", "italia", "internazionale",
        ),
        "credit_words": ("foto", "immagine", "fonte", "di", "archivio"),
        "caption_marks": ("a sinistra", "a destra", "al centro", "sinistra", "destra", "nella foto"),
        "months": (
            "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre",
            "novembre", "dicembre", "gen", "mag", "giu", "lug", "ago", "set", "ott", "dic",
        ),
        "weekdays": (
            "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica", "lunedi", "martedi",
            "mercoledi", "giovedi", "venerdi",
        ),
        "date_words": ("pubblicato", "aggiornato", "il", "alle", "ore", "del"),
    },
    "ro": {
        "teaser": (
            "citește și", "citeste si", "citeşte şi", "vezi și", "vezi si", "vezi şi", "recomandări", "recomandari",
            "recomandarea noastră", "recomandarea noastra", "articole similare", "articole asemănătoare",
            "știri similare", "pe același subiect", "cele mai citite", "ultimele știri", "alte știri",
            "te-ar putea interesa", "articole recomandate", "mai multe știri",
        ),
        "read_more": ("citește mai mult", "citeste mai mult", "citește mai departe"),
        "teaser_by": ("articol recomandat de", "recomandat de", "sponsorizat de"),
        "comments": (
            "comentarii", "lasă un comentariu", "lasa un comentariu", "adaugă un comentariu", "scrie un comentariu",
            "lasă un răspuns",
        ),
        "comment_ui": (
            "răspunde", "raspunde", "anulează răspunsul", "cele mai noi", "cele mai vechi", "cele mai votate",
        ),
        "comment_form": (
            "adresa ta de email nu va fi publicată", "adresa de email nu va fi publicată",
            "câmpurile obligatorii sunt marcate cu", "salvează-mi numele, emailul și site-ul web în acest navigator",
        ),
        "navigation": (
            "sari la conținut", "sari la continut", "mergi la conținut", "înapoi sus", "inapoi sus", "meniu", "caută",
            "cauta", "acasă", "acasa", "închide", "autentificare", "abonează-te", "articolul anterior",
            "articolul următor",
        ),
        "share": ("distribuie", "distribuie articolul", "partajează", "printează", "copiază link"),
        "share_on": ("distribuie pe", "urmărește-ne pe", "urmareste-ne pe", "partajează pe"),
        "author": ("despre autor", "autor"),
        "ads": ("publicitate", "reclamă", "conținut sponsorizat", "articol sponsorizat"),
        "cookie": (
            "folosim cookie", "acest site folosește cookie", "acest site foloseste cookie", "utilizăm cookie",
            "politica de cookie", "setări cookie", "accept cookie",
        ),
        "newsletter_noun": ("newsletter",),
        "newsletter_verb": ("abonează-te", "aboneaza-te", "abonare", "înscrie-te", "inscrie-te", "primește"),
        "footer": ("toate drepturile rezervate",),
        "sections": (
            "externe", "internațional", "internaţional", "politică", "actualitate", "știri", "stiri", "lume",
        ),
        "credit_words": ("foto", "sursa", "sursă", "colaboratori", "colaborator", "arhivă", "arhiva"),
        "caption_marks": ("stânga", "stanga", "dreapta", "centru", "în centru", "în imagine"),
        "months": (
            "ianuarie", "februarie", "martie", "aprilie", "mai", "iunie", "iulie", "august", "septembrie",
            "octombrie", "noiembrie", "decembrie", "ian", "iun", "iul", "oct", "noi", "dec",
        ),
        "weekdays": ("luni", "marți", "marţi", "miercuri", "joi", "vineri", "sâmbătă", "duminică"),
        "date_words": ("publicat", "actualizat", "la", "ora", "pe"),
    },
    "pt": {
        "teaser": (
            "leia também", "leia mais", "veja também", "veja mais", "saiba mais", "notícias relacionadas",
            "artigos relacionados", "relacionadas", "mais lidas", "mais notícias", "você pode gostar",
            "pode também gostar",
        ),
        "read_more": ("continue lendo", "ler mais"),
        "teaser_by": ("recomendado por", "patrocinado por"),
        "comments": ("comentários", "deixe um comentário", "deixe uma resposta", "deixe seu comentário"),
        "comment_ui": ("cancelar resposta", "mais recentes", "mais antigos"),
        "comment_form": (
            "o seu endereço de email não será publicado", "o seu endereço de e-mail não será publicado",
            "seu endereço de e-mail não será publicado", "seu endereço de email não será publicado",
            "campos obrigatórios são marcados com",
        ),
        "navigation": (
            "pular para o conteúdo", "ir para o conteúdo", "saltar para o conteúdo", "voltar ao topo", "topo",
            "pesquisar", "início", "fechar", "entrar", "assine", "artigo anterior", "próximo artigo",
        ),
        "share": ("compartilhar", "partilhar", "compartilhe", "copiar link"),
        "share_on": ("compartilhar no", "compartilhar em", "partilhar no", "siga-nos no", "siga-nos"),
        "author": ("sobre o autor",),
        "ads": ("publicidade", "anúncio", "conteúdo patrocinado"),
        "cookie": (
            "este site utiliza cookies", "este site usa cookies", "aceitar cookies", "utilizamos cookies para",
        ),
        "newsletter_noun": ("newsletter",),
        "newsletter_verb": ("assine", "inscreva-se", "subscreva", "cadastre-se", "receba"),
        "footer": ("todos os direitos reservados",),
        "sections": ("mundo", "internacional", "notícias", "brasil", "portugal"),
        "credit_words": ("foto", "imagem", "fonte", "arquivo", "crédito"),
        "caption_marks": ("esquerda", "direita", "centro", "à esquerda", "à direita"),
        "months": (
            "janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro",
            "novembro", "dezembro", "fev", "mai", "set", "out",
        ),
        "weekdays": (
            "segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "segunda", "terça",
            "quarta", "quinta", "sexta",
        ),
        "date_words": ("publicado", "atualizado", "em", "às", "de", "do"),
    },
    "nl": {
        "teaser": (
            "lees ook", "gerelateerde artikelen", "gerelateerd", "meer nieuws", "ook interessant", "meest gelezen",
            "bekijk ook", "zie ook", "aanbevolen", "meer over",
        ),
        "read_more": ("lees meer", "lees verder", "meer lezen"),
        "teaser_by": ("aanbevolen door", "gesponsord door"),
        "comments": ("reacties", "laat een reactie achter", "plaats een reactie"),
        "comment_ui": ("beantwoorden", "annuleer reactie", "nieuwste", "oudste"),
        "comment_form": (
            "je e-mailadres wordt niet gepubliceerd", "uw e-mailadres wordt niet gepubliceerd",
            "vereiste velden zijn gemarkeerd met",
        ),
        "navigation": (
            "naar de inhoud", "ga naar de inhoud", "direct naar de inhoud", "spring naar de inhoud",
            "terug naar boven", "naar boven", "zoeken", "sluiten", "inloggen", "abonneren", "vorig artikel",
            "volgend artikel",
        ),
        "share": ("delen", "deel dit artikel", "printen", "afdrukken", "link kopiëren"),
        "share_on": ("delen op", "deel op", "volg ons op", "volg ons"),
        "author": ("over de auteur", "auteur"),
        "ads": ("advertentie", "gesponsord", "gesponsorde inhoud"),
        "cookie": (
            "wij gebruiken cookies", "we gebruiken cookies", "deze website gebruikt cookies", "cookiebeleid",
            "cookies accepteren", "alle cookies accepteren", "cookie-instellingen",
        ),
        "newsletter_noun": ("nieuwsbrief", "newsletter"),
        "newsletter_verb": ("aanmelden", "abonneer", "schrijf je in", "meld je aan", "ontvang"),
        "footer": ("alle rechten voorbehouden",),
        "sections": ("buitenland", "binnenland", "politiek", "nieuws", "wereld", "economie"),
        "credit_words": ("foto", "beeld", "bron", "archief", "door"),
        "caption_marks": ("links", "rechts", "midden"),
        "months": (
            "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
            "november", "december", "mrt", "okt",
        ),
        "weekdays": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
        "date_words": ("gepubliceerd", "bijgewerkt", "geplaatst", "op", "om", "uur"),
    },
    "pl": {
        "teaser": (
            "czytaj też", "czytaj także", "czytaj również", "zobacz też", "zobacz także", "zobacz również",
            "polecamy", "podobne artykuły", "powiązane artykuły", "najczęściej czytane", "przeczytaj też",
            "przeczytaj także", "warto przeczytać",
        ),
        "read_more": ("czytaj więcej", "czytaj dalej"),
        "teaser_by": ("polecane przez", "sponsorowane przez"),
        "comments": ("komentarze", "dodaj komentarz", "zostaw komentarz", "napisz komentarz"),
        "comment_ui": ("odpowiedz", "anuluj pisanie odpowiedzi", "najnowsze", "najstarsze", "najpopularniejsze"),
        "comment_form": (
            "twój adres e-mail nie zostanie opublikowany", "twój adres email nie zostanie opublikowany",
            "wymagane pola są oznaczone",
        ),
        "navigation": (
            "przejdź do treści", "przejdź do głównej treści", "do góry", "wróć na górę", "powrót do góry", "szukaj",
            "wyszukaj", "strona główna", "zamknij", "zaloguj się", "zaloguj", "subskrybuj", "poprzedni artykuł",
            "następny artykuł",
        ),
        "share": ("udostępnij", "podziel się", "drukuj", "kopiuj link", "skopiuj link"),
        "share_on": ("udostępnij na", "obserwuj nas na", "śledź nas na"),
        "author": ("o autorze",),
        "ads": ("reklama", "materiał sponsorowany", "artykuł sponsorowany", "materiał partnera"),
        "cookie": (
            "używamy plików cookie", "ta strona używa plików cookie", "ta strona korzysta z plików cookie",
            "polityka cookies", "polityka plików cookie", "ustawienia cookie",
        ),
        "newsletter_noun": ("newsletter", "biuletyn"),
        "newsletter_verb": ("zapisz się", "subskrybuj", "zamów", "otrzymuj"),
        "footer": ("wszelkie prawa zastrzeżone",),
        "sections": ("świat", "polska", "polityka", "wiadomości", "gospodarka", "kraj"),
        "credit_words": ("fot", "foto", "zdjęcie", "źródło", "materiały prasowe"),
        "caption_marks": ("z lewej", "z prawej", "w środku", "po lewej", "po prawej"),
        "months": (
            "styczeń", "stycznia", "luty", "lutego", "marzec", "marca", "kwiecień", "kwietnia", "maj", "maja",
            "czerwiec", "czerwca", "lipiec", "lipca", "sierpień", "sierpnia", "wrzesień", "września", "październik",
            "października", "listopad", "listopada", "grudzień", "grudnia",
        ),
        "weekdays": ("poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela"),
        "date_words": ("opublikowano", "aktualizacja", "zaktualizowano", "godz", "r"),
    },
    "ru": {
        "teaser": (
            "читайте также", "читать также", "смотрите также", "по теме", "новости по теме", "похожие статьи",
            "похожие новости", "популярное", "самое читаемое", "рекомендуем", "вам может быть интересно",
            "еще по теме", "ещё по теме", "материалы по теме", "другие новости", "последние новости",
        ),
        "read_more": ("читать далее", "читайте далее"),
        "teaser_by": ("рекомендовано",),
        "comments": ("комментарии", "оставить комментарий", "оставьте комментарий", "добавить комментарий"),
        "comment_ui": ("ответить", "отменить ответ", "сначала новые", "сначала старые"),
        "comment_form": (
            "ваш адрес email не будет опубликован", "ваш e-mail не будет опубликован",
            "ваш адрес электронной почты не будет опубликован", "обязательные поля помечены",
        ),
        "navigation": (
            "перейти к содержимому", "перейти к содержанию", "наверх", "вернуться наверх", "меню", "поиск", "главная",
            "закрыть", "войти", "подписаться", "предыдущая статья", "следующая статья",
        ),
        "share": ("поделиться", "поделитесь", "распечатать", "печать", "скопировать ссылку"),
        "share_on": ("поделиться в", "подписывайтесь на", "мы в"),
        "author": ("об авторе", "автор"),
        "ads": ("реклама", "на правах рекламы", "партнерский материал", "партнёрский материал"),
        "cookie": (
            "мы используем cookie", "мы используем файлы cookie", "этот сайт использует cookie",
            "сайт использует файлы cookie", "использование файлов cookie", "мы используем куки",
        ),
        "newsletter_noun": ("рассылк", "newsletter"),
        "newsletter_verb": ("подпишитесь", "подписаться", "подписка", "получайте"),
        "footer": ("все права защищены",),
        "sections": ("в мире", "мир", "политика", "новости", "общество", "экономика"),
        "credit_words": ("фото", "источник", "иллюстрация"),
        "caption_marks": ("слева", "справа", "в центре", "на фото"),
        "months": (
            "январь", "января", "февраль", "февраля", "март", "марта", "апрель", "апреля", "май", "мая", "июнь",
            "июня", "июль", "июля", "август", "августа", "сентябрь", "сентября", "октябрь", "октября", "ноябрь",
            "ноября", "декабрь", "декабря",
        ),
        "weekdays": ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"),
        "date_words": ("опубликовано", "обновлено", "в", "г", "года", "мск"),
    },
    "uk": {
        "teaser": (
            "читайте також", "читати також", "дивіться також", "по темі", "за темою", "новини за темою",
            "схожі статті", "популярне", "найпопулярніше", "рекомендуємо", "вас може зацікавити", "інші новини",
            "останні новини", "більше новин",
        ),
        "read_more": ("читайте більше",),
        "teaser_by": ("рекомендовано",),
        "comments": ("коментарі", "залишити коментар", "залиште коментар", "додати коментар"),
        "comment_ui": ("відповісти", "скасувати відповідь", "спочатку нові"),
        "comment_form": (
            "ваша адреса електронної пошти не буде опублікована", "ваш email не буде опубліковано",
            "обов'язкові поля позначені", "обов’язкові поля позначені",
        ),
        "navigation": (
            "перейти до вмісту", "перейти до змісту", "нагору", "вгору", "повернутися нагору", "пошук", "головна",
            "закрити", "увійти", "підписатися", "попередня стаття", "наступна стаття",
        ),
        "share": ("поділитися", "поширити", "друк", "надрукувати", "скопіювати посилання"),
        "share_on": ("поділитися в", "поширити в", "підписуйтесь на", "слідкуйте за нами"),
        "author": ("про автора",),
        "ads": ("на правах реклами", "партнерський матеріал"),
        "cookie": (
            "ми використовуємо cookie", "ми використовуємо файли cookie", "цей сайт використовує cookie",
            "сайт використовує файли cookie", "використання файлів cookie",
        ),
        "newsletter_noun": ("розсилк",),
        "newsletter_verb": ("підпишіться", "підписатися", "підписка", "отримуйте"),
        "footer": ("всі права захищені", "усі права захищені"),
        "sections": ("світ", "у світі", "новини", "суспільство", "економіка", "україна"),
        "credit_words": ("фото", "джерело", "ілюстрація"),
        "caption_marks": ("ліворуч", "праворуч", "у центрі", "на фото"),
        "months": (
            "січень", "січня", "лютий", "лютого", "березень", "березня", "квітень", "квітня", "травень", "травня",
            "червень", "червня", "липень", "липня", "серпень", "серпня", "вересень", "вересня", "жовтень", "жовтня",
            "листопад", "листопада", "грудень", "грудня",
        ),
        "weekdays": ("понеділок", "вівторок", "середа", "четвер", "пʼятниця", "п'ятниця", "субота", "неділя"),
        "date_words": ("опубліковано", "оновлено", "о", "р", "року"),
    },
    "el": {
        "teaser": (
            "διαβάστε επίσης", "διαβάστε ακόμη", "διαβάστε ακόμα", "δείτε επίσης", "δείτε ακόμη", "σχετικά άρθρα",
            "σχετικές ειδήσεις", "τα πιο δημοφιλή", "προτεινόμενα", "τελευταίες ειδήσεις",
        ),
        "read_more": ("διαβάστε περισσότερα",),
        "teaser_by": ("προτείνεται από", "χορηγούμενο από"),
        "comments": ("σχόλια", "αφήστε ένα σχόλιο", "αφήστε σχόλιο", "προσθήκη σχολίου", "γράψτε ένα σχόλιο"),
        "comment_ui": ("ακύρωση απάντησης", "νεότερα", "παλαιότερα"),
        "comment_form": (
            "η ηλεκτρονική διεύθυνση σας δεν δημοσιεύεται", "η διεύθυνση email σας δεν θα δημοσιευθεί",
            "τα υποχρεωτικά πεδία σημειώνονται",
        ),
        "navigation": (
            "μετάβαση στο περιεχόμενο", "μεταβείτε στο περιεχόμενο", "επιστροφή στην κορυφή", "στην κορυφή", "μενού",
            "αναζήτηση", "αρχική", "κλείσιμο", "σύνδεση", "προηγούμενο άρθρο", "επόμενο άρθρο",
        ),
        "share": ("κοινοποίηση", "μοιραστείτε", "εκτύπωση", "αντιγραφή συνδέσμου"),
        "share_on": ("κοινοποίηση στο", "μοιραστείτε στο", "ακολουθήστε μας στο", "ακολουθήστε μας"),
        "author": ("σχετικά με τον συγγραφέα", "για τον συγγραφέα"),
        "ads": ("διαφήμιση", "χορηγούμενο", "χορηγούμενο περιεχόμενο"),
        "cookie": (
            "χρησιμοποιούμε cookies", "χρησιμοποιεί cookies", "αυτός ο ιστότοπος χρησιμοποιεί cookies",
            "πολιτική cookies", "αποδοχή cookies",
        ),
        "newsletter_noun": ("newsletter", "ενημερωτικό δελτίο"),
        "newsletter_verb": ("εγγραφείτε", "εγγραφή", "λάβετε"),
        "footer": ("με την επιφύλαξη παντός δικαιώματος", "όλα τα δικαιώματα διατηρούνται"),
        "sections": ("κόσμος", "διεθνή", "πολιτική", "ειδήσεις", "ελλάδα", "οικονομία"),
        "credit_words": ("φωτογραφία", "φωτ", "πηγή"),
        "caption_marks": ("αριστερά", "δεξιά", "στο κέντρο"),
        "months": (
            "ιανουάριος", "ιανουαρίου", "φεβρουάριος", "φεβρουαρίου", "μάρτιος", "μαρτίου", "απρίλιος", "απριλίου",
            "μάιος", "μαΐου", "ιούνιος", "ιουνίου", "ιούλιος", "ιουλίου", "αύγουστος", "αυγούστου", "σεπτέμβριος",
            "σεπτεμβρίου", "οκτώβριος", "οκτωβρίου", "νοέμβριος", "νοεμβρίου", "δεκέμβριος", "δεκεμβρίου",
        ),
        "weekdays": ("δευτέρα", "τρίτη", "τετάρτη", "πέμπτη", "παρασκευή", "σάββατο", "κυριακή"),
        "date_words": ("δημοσιεύθηκε", "ενημερώθηκε", "στις", "και"),
    },
}

# Photo and news agencies whose name, alone or with credit words, makes a credit line.
AGENCIES: tuple[str, ...] = (
    "getty images", "getty", "reuters", "afp", "ap", "ap photo", "associated press", "epa", "epa-efe", "efe", "ansa",
    "dpa", "picture alliance", "picture-alliance", "imago", "shutterstock", "istock", "istockphoto", "alamy",
    "profimedia", "inquam photos", "inquam", "agerpres", "mediafax foto", "news.ro", "lapresse", "xinhua", "tass",
    "ria novosti", "sputnik", "anadolu", "kcna", "yonhap", "kremlin.ru", "wikimedia commons", "unsplash", "pexels",
    "pixabay", "keystone", "belga", "anp", "pap", "ukrinform", "unian", "eurokinissi", "intime", "ape-mpe", "sipa",
    "abaca", "zuma", "zuma press", "sopa images", "nurphoto", "bloomberg", "ddp", "action press",
)
# fmt: on
