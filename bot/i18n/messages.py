"""Message templates by key and language. `{name}` placeholders are filled by `t()`."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # --- cart -------------------------------------------------------------------------------
    "added": {
        "en": "Added to your cart:",
        "hi": "आपके कार्ट में जोड़ दिया:",
        "hinglish": "Cart mein daal diya:",
    },
    "which_one": {
        "en": "Which {item}? Reply with a number:",
        "hi": "{item} — कौन-सा विकल्प चाहिए? नंबर लिखकर बताइए:",
        "hinglish": "Kaunsa {item}? Number likh ke batao:",
    },
    "picked_usual": {
        "en": "I picked {items}. Want a different one? Tap it:",
        "hi": "मैंने {items} चुना है। कोई दूसरा चाहिए? उस पर टैप कीजिए:",
        "hinglish": "Maine {items} chuna hai. Koi doosra chahiye? Us par tap karo:",
    },
    "changed": {
        "en": "Changed. Your cart:",
        "hi": "बदल दिया। आपका कार्ट:",
        "hinglish": "Badal diya. Aapka cart:",
    },
    "delivers_yes": {
        "en": "Yes, we deliver to {pincode}. Tell me what you need.",
        "hi": "हाँ, हम {pincode} में डिलीवरी करते हैं। बताइए क्या चाहिए।",
        "hinglish": "Haan, hum {pincode} mein delivery karte hain. Batao kya chahiye.",
    },
    "delivers_no": {
        "en": "Sorry, we don't deliver to {pincode} yet.",
        "hi": "माफ़ कीजिए, हम अभी {pincode} में डिलीवरी नहीं करते।",
        "hinglish": "Sorry, hum abhi {pincode} mein delivery nahi karte.",
    },
    "delivery_area": {
        "en": "We deliver to these PIN codes: {pincodes}.",
        "hi": "हम इन पिन कोड में डिलीवरी करते हैं: {pincodes}।",
        "hinglish": "Hum in PIN codes mein delivery karte hain: {pincodes}.",
    },
    "outside_area": {
        "en": "Sorry, we don't deliver to {pincode} yet. Send an address in our area, or ask "
        '"where do you deliver?"',
        "hi": "माफ़ कीजिए, हम अभी {pincode} में डिलीवरी नहीं करते। हमारे इलाके का पता भेजिए, या पूछिए "
        '"कहाँ डिलीवरी करते हो?"',
        "hinglish": "Sorry, hum abhi {pincode} mein delivery nahi karte. Hamare area ka address "
        'bhejo, ya poocho "kahan delivery karte ho?"',
    },
    "faq_unknown": {
        "en": "I don't know that one yet; I've passed your question to the shop.",
        "hi": "इसका जवाब अभी मेरे पास नहीं है; आपका सवाल दुकान तक पहुँचा दिया है।",
        "hinglish": "Iska jawab abhi mere paas nahi hai; aapka sawaal dukaan tak pahuncha diya hai.",
    },
    "unmatched": {
        "en": 'Sorry, we don\'t have "{item}".',
        "hi": 'माफ़ कीजिए, "{item}" हमारे पास नहीं है।',
        "hinglish": 'Sorry, "{item}" hamare paas nahi hai.',
    },
    "did_you_mean": {
        "en": "Did you mean: {options}?",
        "hi": "क्या आपका मतलब था: {options}?",
        "hinglish": "Kya aapka matlab tha: {options}?",
    },
    "nothing_understood": {
        "en": 'I couldn\'t find any items in that. Try "2 kg atta and 1 litre milk".',
        "hi": 'इसमें कोई सामान नहीं मिला। ऐसे लिखिए: "2 किलो आटा और 1 लीटर दूध"।',
        "hinglish": 'Isme koi saamaan nahi mila. Aise likho: "2 kg atta aur 1 litre doodh".',
    },
    "out_of_stock": {
        "en": "{name} is out of stock right now.",
        "hi": "{name} अभी स्टॉक में नहीं है।",
        "hinglish": "{name} abhi stock mein nahi hai.",
    },
    "cart_empty": {
        "en": 'Your cart is empty. Tell me what you need, e.g. "1 kg sugar".',
        "hi": 'आपका कार्ट खाली है। बताइए क्या चाहिए, जैसे "1 किलो चीनी"।',
        "hinglish": 'Aapka cart khaali hai. Batao kya chahiye, jaise "1 kg cheeni".',
    },
    "cart_header": {"en": "🛒 Your cart:", "hi": "🛒 आपका कार्ट:", "hinglish": "🛒 Aapka cart:"},
    "subtotal": {"en": "Items: {amount}", "hi": "सामान: {amount}", "hinglish": "Saamaan: {amount}"},
    "delivery_fee": {
        "en": "Delivery: {amount}",
        "hi": "डिलीवरी: {amount}",
        "hinglish": "Delivery: {amount}",
    },
    "free_delivery": {"en": "Delivery: free", "hi": "डिलीवरी: मुफ़्त", "hinglish": "Delivery: free"},
    "total": {"en": "Total: {amount}", "hi": "कुल: {amount}", "hinglish": "Total: {amount}"},
    "below_minimum": {
        "en": "The minimum order is {amount} of items (delivery not counted): add {short} more"
        " to check out.",
        "hi": "कम से कम {amount} का सामान चाहिए (डिलीवरी शुल्क नहीं गिना जाता): {short} का और जोड़िए।",
        "hinglish": "Minimum order {amount} ke saamaan ka hai (delivery nahi gini jaati): {short} ka"
        " aur add karo.",
    },
    "meaning_checkout": {"en": "Checkout", "hi": "ऑर्डर करें", "hinglish": "Checkout"},
    "cart_next": {
        "en": 'Add more, or say "checkout" to order.',
        "hi": 'और जोड़िए, या ऑर्डर के लिए "ऑर्डर कर दो" लिखिए।',
        "hinglish": 'Aur add karo, ya order ke liye "checkout" likho.',
    },
    "removed": {"en": "Removed {name}.", "hi": "{name} हटा दिया।", "hinglish": "{name} hata diya."},
    "not_in_cart": {
        "en": '"{item}" isn\'t in your cart.',
        "hi": '"{item}" आपके कार्ट में नहीं है।',
        "hinglish": '"{item}" aapke cart mein nahi hai.',
    },
    "updated": {
        "en": "Updated: {name} × {count}.",
        "hi": "बदल दिया: {name} × {count}।",
        "hinglish": "Update kar diya: {name} × {count}.",
    },
    "which_to_change": {
        "en": 'Which item should I change? Say e.g. "make milk 2 litres".',
        "hi": 'कौन सा सामान बदलूँ? जैसे "दूध 2 लीटर कर दो"।',
        "hinglish": 'Kaunsa item badlun? Jaise "doodh 2 litre kar do".',
    },
    "cleared": {
        "en": "Your cart is now empty.",
        "hi": "आपका कार्ट खाली कर दिया।",
        "hinglish": "Aapka cart khaali kar diya.",
    },
    "no_pending_choice": {
        "en": "There's nothing to choose right now. Tell me what you need.",
        "hi": "अभी चुनने को कुछ नहीं है। बताइए क्या चाहिए।",
        "hinglish": "Abhi choose karne ko kuch nahi hai. Batao kya chahiye.",
    },
    "bad_choice": {
        "en": "Please reply with a number from 1 to {n}.",
        "hi": "कृपया 1 से {n} तक का नंबर लिखिए।",
        "hinglish": "Please 1 se {n} tak ka number likho.",
    },
    # --- catalog ----------------------------------------------------------------------------
    "categories": {
        "en": "What would you like to see?",
        "hi": "क्या देखना चाहेंगे?",
        "hinglish": "Kya dekhna chahoge?",
    },
    "category_products": {
        "en": "{category} — a few of our products:",
        "hi": "{category} — हमारे कुछ सामान:",
        "hinglish": "{category} — hamare kuch products:",
    },
    "price": {"en": "{name}: {price}", "hi": "{name}: {price}", "hinglish": "{name}: {price}"},
    "which_price": {
        "en": 'Which product\'s price? E.g. "price of amul butter".',
        "hi": 'किस सामान का दाम? जैसे "अमूल बटर का रेट"।',
        "hinglish": 'Kis cheez ka rate? Jaise "amul butter kitne ka hai".',
    },
    # --- checkout ---------------------------------------------------------------------------
    "ask_address": {
        "en": "Where should we deliver? Send your full address with the 6-digit PIN code (or share your location).",
        "hi": "कहाँ डिलीवर करें? पूरा पता 6 अंकों के पिन कोड के साथ भेजिए (या लोकेशन शेयर कीजिए)।",
        "hinglish": "Kahan deliver karein? Poora address 6-digit PIN code ke saath bhejo (ya location share karo).",
    },
    "ask_saved_address": {
        "en": "Deliver to your last address?\n{address}\nReply yes, or send a new address.",
        "hi": "पिछले पते पर भेजें?\n{address}\nहाँ लिखिए, या नया पता भेजिए।",
        "hinglish": "Pichle address pe bhejein?\n{address}\nHaan likho, ya naya address bhejo.",
    },
    "bad_pincode": {
        "en": "I need a 6-digit PIN code in the address (like 560038). Please send the address again.",
        "hi": "पते में 6 अंकों का पिन कोड चाहिए (जैसे 110092)। कृपया पता फिर से भेजिए।",
        "hinglish": "Address mein 6-digit PIN code chahiye (jaise 400069). Please address phir se bhejo.",
    },
    "ask_slot": {
        "en": "When should we deliver?",
        "hi": "कब डिलीवर करें?",
        "hinglish": "Kab deliver karein?",
    },
    "bad_slot": {
        "en": "Please pick one of these delivery times.",
        "hi": "कृपया इनमें से कोई समय चुनिए।",
        "hinglish": "Please inmein se koi time chuno.",
    },
    "ask_payment": {
        "en": "How would you like to pay?",
        "hi": "पेमेंट कैसे करेंगे?",
        "hinglish": "Payment kaise karoge?",
    },
    "pay_upi": {"en": "UPI", "hi": "UPI", "hinglish": "UPI"},
    "pay_cod": {"en": "Cash on delivery", "hi": "डिलीवरी पर नकद", "hinglish": "Cash on delivery"},
    "bad_payment": {
        "en": "Please choose UPI or cash on delivery.",
        "hi": "कृपया UPI या डिलीवरी पर नकद चुनिए।",
        "hinglish": "Please UPI ya cash on delivery chuno.",
    },
    "summary": {
        "en": "Please confirm your order:",
        "hi": "कृपया अपना ऑर्डर पक्का कीजिए:",
        "hinglish": "Please apna order confirm karo:",
    },
    "summary_details": {
        "en": "Deliver to: {address}\nWhen: {slot}\nPayment: {payment}",
        "hi": "पता: {address}\nसमय: {slot}\nपेमेंट: {payment}",
        "hinglish": "Address: {address}\nTime: {slot}\nPayment: {payment}",
    },
    "confirm_question": {
        "en": "Place this order?",
        "hi": "यह ऑर्डर कर दें?",
        "hinglish": "Yeh order kar dein?",
    },
    "yes": {"en": "Yes, place order", "hi": "हाँ, ऑर्डर करें", "hinglish": "Haan, order karo"},
    "no": {"en": "No", "hi": "नहीं", "hinglish": "Nahi"},
    "order_placed": {
        "en": "✅ Order #{id} placed! Total {total}, delivery {slot}.",
        "hi": "✅ ऑर्डर #{id} हो गया! कुल {total}, डिलीवरी {slot}।",
        "hinglish": "✅ Order #{id} ho gaya! Total {total}, delivery {slot}.",
    },
    "pay_now": {
        "en": "Pay by UPI here: {url}",
        "hi": "UPI से यहाँ पेमेंट कीजिए: {url}",
        "hinglish": "UPI se yahan pay karo: {url}",
    },
    "wa_pay_body": {
        "en": "Order #{id}: {total}. Tap Review and pay to pay by UPI right here in WhatsApp.",
        "hi": "ऑर्डर #{id}: {total}। WhatsApp में ही UPI से पेमेंट के लिए Review and pay दबाइए।",
        "hinglish": "Order #{id}: {total}. WhatsApp mein hi UPI se pay karne ke liye Review and "
        "pay dabao.",
    },
    "wa_pay_expiry": {
        "en": "Pay within {minutes} minutes",
        "hi": "{minutes} मिनट में पेमेंट कीजिए",
        "hinglish": "{minutes} minute mein pay karo",
    },
    "cod_note": {
        "en": "Please keep {total} ready in cash.",
        "hi": "कृपया {total} नकद तैयार रखिए।",
        "hinglish": "Please {total} cash ready rakhna.",
    },
    "order_failed": {
        "en": "Sorry, I couldn't place the order: {reason}",
        "hi": "माफ़ कीजिए, ऑर्डर नहीं हो पाया: {reason}",
        "hinglish": "Sorry, order nahi ho paya: {reason}",
    },
    # --- orders -----------------------------------------------------------------------------
    "no_orders": {
        "en": "You have no orders yet.",
        "hi": "आपका अभी तक कोई ऑर्डर नहीं है।",
        "hinglish": "Aapka abhi tak koi order nahi hai.",
    },
    "order_status": {
        "en": "Order #{id} ({total}): {status}.",
        "hi": "ऑर्डर #{id} ({total}): {status}।",
        "hinglish": "Order #{id} ({total}): {status}.",
    },
    "cancelled": {
        "en": "Order #{id} is cancelled.",
        "hi": "ऑर्डर #{id} रद्द कर दिया गया।",
        "hinglish": "Order #{id} cancel kar diya.",
    },
    "cannot_cancel": {
        "en": 'Order #{id} is {status} and can\'t be cancelled now. Say "talk to the shop" for help.',
        "hi": 'ऑर्डर #{id} {status} है, अब रद्द नहीं हो सकता। मदद के लिए "दुकान वाले से बात कराओ" लिखिए।',
        "hinglish": 'Order #{id} {status} hai, ab cancel nahi ho sakta. Help ke liye "shop wale se baat karao" likho.',
    },
    "nothing_to_cancel": {
        "en": "You have no order that can be cancelled.",
        "hi": "आपका कोई ऐसा ऑर्डर नहीं है जो रद्द हो सके।",
        "hinglish": "Aapka koi aisa order nahi hai jo cancel ho sake.",
    },
    "already_cancelled": {
        "en": "Order #{id} is already cancelled; nothing more to do.",
        "hi": "ऑर्डर #{id} पहले ही रद्द हो चुका है; और कुछ नहीं करना है।",
        "hinglish": "Order #{id} pehle hi cancel ho chuka hai; aur kuch nahi karna.",
    },
    "reordered": {
        "en": "I've put your last order (#{id}) back in your cart.",
        "hi": "आपका पिछला ऑर्डर (#{id}) कार्ट में डाल दिया है।",
        "hinglish": "Aapka pichla order (#{id}) cart mein daal diya hai.",
    },
    "reorder_skipped": {
        "en": "Not available now: {names}.",
        "hi": "अभी उपलब्ध नहीं: {names}।",
        "hinglish": "Abhi available nahi: {names}.",
    },
    # order statuses as shoppers read them
    "status_confirmed_cod": {
        "en": "confirmed, pay cash on delivery",
        "hi": "पक्का हो गया, पैसे डिलीवरी पर",
        "hinglish": "confirm ho gaya, cash delivery par",
    },
    "arrives": {
        "en": "Delivery: {slot}.",
        "hi": "डिलीवरी: {slot}।",
        "hinglish": "Delivery: {slot}.",
    },
    "status_pending_payment": {
        "en": "waiting for payment",
        "hi": "पेमेंट बाकी",
        "hinglish": "payment baaki",
    },
    "status_paid": {
        "en": "paid, being prepared",
        "hi": "पेमेंट हो गया, तैयार हो रहा है",
        "hinglish": "paid, taiyaar ho raha hai",
    },
    "status_confirmed": {"en": "confirmed", "hi": "पक्का", "hinglish": "confirmed"},
    "status_packed": {"en": "packed", "hi": "पैक हो गया", "hinglish": "pack ho gaya"},
    "status_out_for_delivery": {
        "en": "out for delivery",
        "hi": "रास्ते में है",
        "hinglish": "raste mein hai",
    },
    "status_delivered": {"en": "delivered", "hi": "पहुँच गया", "hinglish": "deliver ho gaya"},
    "status_cancelled": {"en": "cancelled", "hi": "रद्द", "hinglish": "cancelled"},
    "status_refunded": {"en": "refunded", "hi": "पैसे वापस", "hinglish": "refund ho gaya"},
    # --- language, handoff, fallback --------------------------------------------------------
    "language_set": {
        "en": "Okay, I'll reply in English.",
        "hi": "ठीक है, अब मैं हिंदी में जवाब दूँगा।",
        "hinglish": "Theek hai, ab main Hinglish mein reply karunga.",
    },
    "handoff": {
        "en": "I've asked someone from the shop to reply. They'll message you here shortly.",
        "hi": "मैंने दुकान से किसी को जवाब देने के लिए कहा है। वे जल्द ही यहाँ मैसेज करेंगे।",
        "hinglish": "Maine shop se kisi ko reply karne ko bola hai. Woh jaldi yahin message karenge.",
    },
    "did_you_mean_intent": {
        "en": "Did you mean: {meaning}?",
        "hi": "क्या आप यह कहना चाहते थे: {meaning}?",
        "hinglish": "Kya aap yeh kehna chahte the: {meaning}?",
    },
    "something_else": {"en": "Something else", "hi": "कुछ और", "hinglish": "Kuch aur"},
    "error": {
        "en": "Sorry, something went wrong on our side. Please try again in a moment.",
        "hi": "माफ़ कीजिए, हमारी तरफ़ कुछ गड़बड़ हुई। थोड़ी देर में फिर कोशिश कीजिए।",
        "hinglish": "Sorry, hamari taraf kuch gadbad hui. Thodi der mein phir try karo.",
    },
    # --- WhatsApp channel (api/whatsapp) -----------------------------------------------------
    "wa_list_button": {"en": "Choose", "hi": "चुनिए", "hinglish": "Chuno"},
    "wa_list_section": {"en": "Options", "hi": "विकल्प", "hinglish": "Options"},
    "wa_choose_prompt": {"en": "Please choose:", "hi": "कृपया चुनिए:", "hinglish": "Please chuno:"},
    "wa_more": {"en": "More options", "hi": "और विकल्प", "hinglish": "Aur options"},
    "wa_more_description": {
        "en": "{count} more to choose from",
        "hi": "{count} और विकल्प",
        "hinglish": "{count} aur options",
    },
    "wa_unsupported_audio": {
        "en": 'Sorry, I can\'t listen to voice notes yet. Please type what you need, e.g. "2 kg atta".',
        "hi": 'माफ़ कीजिए, मैं अभी वॉइस नोट नहीं सुन सकता। कृपया लिखकर बताइए, जैसे "2 किलो आटा"।',
        "hinglish": 'Sorry, main abhi voice note nahi sun sakta. Please likh ke batao, jaise "2 kg atta".',
    },
    "wa_unsupported_image": {
        "en": "Thanks for the picture! I can only read text for now — please type the items you need.",
        "hi": "फ़ोटो के लिए धन्यवाद! मैं अभी सिर्फ़ लिखा हुआ पढ़ सकता हूँ — कृपया सामान लिखकर भेजिए।",
        "hinglish": "Photo ke liye thanks! Main abhi sirf text padh sakta hoon — please saamaan likh ke bhejo.",
    },
    "photo_read": {
        "en": "📷 I read {count} items on your list:\n{items}",
        "hi": "📷 आपकी लिस्ट में मैंने {count} चीज़ें पढ़ीं:\n{items}",
        "hinglish": "📷 Aapki list mein maine {count} items padhe:\n{items}",
    },
    "photo_unsure_lines": {
        "en": "I'm not sure I read these right, so they are not in your cart yet. Tap one to add it as I read it, or type it:",
        "hi": "ये लाइनें मैं ठीक से पढ़ पाया, पक्का नहीं — इसलिए ये अभी कार्ट में नहीं हैं। जैसी पढ़ी वैसी जोड़ने के लिए चुनिए, या लिखकर भेजिए:",
        "hinglish": "Ye lines sahi padhi ya nahi, pakka nahi — isliye abhi cart mein nahi hain. Jaisi padhi waisi add karni ho to chuno, ya likh ke bhejo:",
    },
    "photo_unreadable_lines": {
        "en": "I couldn't read these lines — please type them:\n{lines}",
        "hi": "ये लाइनें मैं पढ़ नहीं पाया — कृपया इन्हें लिखकर भेजिए:\n{lines}",
        "hinglish": "Ye lines main padh nahi paaya — please inhe likh ke bhejo:\n{lines}",
    },
    "photo_no_list": {
        "en": 'I couldn\'t find a shopping list in this photo. Send a clear photo of the list, or type what you need, e.g. "2 kg atta".',
        "hi": 'इस फ़ोटो में मुझे सामान की लिस्ट नहीं मिली। लिस्ट की साफ़ फ़ोटो भेजिए, या लिखकर बताइए, जैसे "2 किलो आटा"।',
        "hinglish": 'Is photo mein mujhe saamaan ki list nahi mili. List ki saaf photo bhejo, ya likh ke batao, jaise "2 kg atta".',
    },
    "photo_too_large": {
        "en": "That file is too large for me to read. Please send a photo of the list (under {megabytes} MB).",
        "hi": "यह फ़ाइल पढ़ने के लिए बहुत बड़ी है। कृपया लिस्ट की फ़ोटो भेजिए ({megabytes} MB से कम)।",
        "hinglish": "Ye file padhne ke liye bahut badi hai. Please list ki photo bhejo ({megabytes} MB se kam).",
    },
    "photo_failed": {
        "en": "Sorry, I couldn't open that photo. Please send it again, or type the items you need.",
        "hi": "माफ़ कीजिए, मैं यह फ़ोटो खोल नहीं पाया। कृपया दोबारा भेजिए, या सामान लिखकर बताइए।",
        "hinglish": "Sorry, main ye photo khol nahi paaya. Please dobara bhejo, ya saamaan likh ke batao.",
    },
    "photo_slow": {
        "en": "Sorry, reading that photo took too long. A closer, well-lit photo of just the list helps — or type the items.",
        "hi": "माफ़ कीजिए, यह फ़ोटो पढ़ने में बहुत समय लग गया। सिर्फ़ लिस्ट की पास से, रोशनी में ली फ़ोटो भेजिए — या सामान लिखकर बताइए।",
        "hinglish": "Sorry, ye photo padhne mein bahut time lag gaya. Sirf list ki paas se, roshni mein li photo bhejo — ya saamaan likh ke batao.",
    },
    "wa_unsupported_sticker": {
        "en": "Nice sticker! 😊 Tell me what you'd like to order.",
        "hi": "बढ़िया स्टिकर! 😊 बताइए क्या मँगवाना है।",
        "hinglish": "Badhiya sticker! 😊 Batao kya mangwana hai.",
    },
    "wa_unsupported": {
        "en": 'Sorry, I can\'t open that kind of message. Please type what you need, e.g. "1 litre milk".',
        "hi": 'माफ़ कीजिए, मैं इस तरह का मैसेज नहीं खोल सकता। कृपया लिखकर बताइए, जैसे "1 लीटर दूध"।',
        "hinglish": 'Sorry, main is tarah ka message nahi khol sakta. Please likh ke batao, jaise "1 litre doodh".',
    },
    "wa_slow_down": {
        "en": "You're sending messages faster than I can read them 🙏 Please wait a minute, then send what you need again.",
        "hi": "आप बहुत तेज़ी से मैसेज भेज रहे हैं, मैं इतनी जल्दी नहीं पढ़ पाता 🙏 एक मिनट रुककर जो चाहिए वह फिर से भेजिए।",
        "hinglish": "Aap bahut jaldi messages bhej rahe ho, main itni jaldi nahi padh paata 🙏 Ek minute ruk ke jo chahiye woh phir se bhejo.",
    },
    "wa_reaction": {
        "en": "Thanks! 🙏 Anything else you need? Just type it.",
        "hi": "धन्यवाद! 🙏 और कुछ चाहिए? बस लिख दीजिए।",
        "hinglish": "Thanks! 🙏 Aur kuch chahiye? Bas likh do.",
    },
    "wa_location_later": {
        "en": 'Thanks for the location! 📍 I\'ll ask for your address when you check out — say "checkout" when your cart is ready.',
        "hi": 'लोकेशन के लिए धन्यवाद! 📍 ऑर्डर करते समय मैं पता पूछूँगा — कार्ट तैयार हो तो "ऑर्डर कर दो" लिखिए।',
        "hinglish": 'Location ke liye thanks! 📍 Checkout ke time main address poochunga — cart ready ho to "checkout" likho.',
    },
    "wa_location_no_pincode": {
        "en": "📍 Got your location ({place}). Please also send your flat/house number and the 6-digit PIN code.",
        "hi": "📍 आपकी लोकेशन मिल गई ({place})। कृपया फ़्लैट/मकान नंबर और 6 अंकों का पिन कोड भी भेजिए।",
        "hinglish": "📍 Aapki location mil gayi ({place}). Please flat/ghar number aur 6-digit PIN code bhi bhejo.",
    },
    "wa_order_unknown": {
        "en": "Some items from the catalog aren't sold here any more: {skus}.",
        "hi": "कैटलॉग की कुछ चीज़ें अब यहाँ नहीं मिलतीं: {skus}।",
        "hinglish": "Catalog ke kuch items ab yahan nahi milte: {skus}.",
    },
    "wa_order_failed": {
        "en": "Sorry, I couldn't add that cart: {reason}",
        "hi": "माफ़ कीजिए, यह कार्ट नहीं जुड़ पाया: {reason}",
        "hinglish": "Sorry, yeh cart add nahi ho paya: {reason}",
    },
    # notifications (the outbox), one per template in bot.notifications.outbox.TEMPLATES
    "notify_order_placed": {
        "en": "✅ Order #{order_id} placed. Total {total}, delivery {slot}.",
        "hi": "✅ ऑर्डर #{order_id} हो गया। कुल {total}, डिलीवरी {slot}।",
        "hinglish": "✅ Order #{order_id} ho gaya. Total {total}, delivery {slot}.",
    },
    "notify_order_paid": {
        "en": "💰 Payment of {total} received for order #{order_id}. We're packing it now.",
        "hi": "💰 ऑर्डर #{order_id} का {total} का पेमेंट मिल गया। हम पैक कर रहे हैं।",
        "hinglish": "💰 Order #{order_id} ka {total} payment mil gaya. Hum pack kar rahe hain.",
    },
    "notify_payment_failed": {
        "en": "⚠️ The payment of {total} for order #{order_id} didn't go through. Try again here: {pay_url}",
        "hi": "⚠️ ऑर्डर #{order_id} का {total} का पेमेंट नहीं हुआ। यहाँ फिर से कोशिश कीजिए: {pay_url}",
        "hinglish": "⚠️ Order #{order_id} ka {total} payment nahi hua. Yahan phir try karo: {pay_url}",
    },
    "notify_payment_flagged": {
        "en": "We received a payment for order #{order_id} that needs a check by the shop. We'll contact you shortly.",
        "hi": "ऑर्डर #{order_id} का एक पेमेंट दुकान को जाँचना है। हम जल्द आपसे संपर्क करेंगे।",
        "hinglish": "Order #{order_id} ka ek payment shop ko check karna hai. Hum jaldi aapse contact karenge.",
    },
    "notify_order_packed": {
        "en": "📦 Order #{order_id} is packed.",
        "hi": "📦 ऑर्डर #{order_id} पैक हो गया है।",
        "hinglish": "📦 Order #{order_id} pack ho gaya hai.",
    },
    "notify_order_out_for_delivery": {
        "en": "🛵 Order #{order_id} is out for delivery.",
        "hi": "🛵 ऑर्डर #{order_id} रास्ते में है।",
        "hinglish": "🛵 Order #{order_id} raaste mein hai.",
    },
    "notify_order_delivered": {
        "en": "🎉 Order #{order_id} is delivered. Thank you for shopping with us!",
        "hi": "🎉 ऑर्डर #{order_id} पहुँच गया। हमसे ख़रीदारी के लिए धन्यवाद!",
        "hinglish": "🎉 Order #{order_id} deliver ho gaya. Shopping ke liye thank you!",
    },
    "notify_order_cancelled": {
        "en": "❌ Order #{order_id} is cancelled{reason}.",
        "hi": "❌ ऑर्डर #{order_id} रद्द हो गया{reason}।",
        "hinglish": "❌ Order #{order_id} cancel ho gaya{reason}.",
    },
    "notify_order_refunded": {
        "en": "↩️ {total} for order #{order_id} has been refunded.",
        "hi": "↩️ ऑर्डर #{order_id} के {total} वापस कर दिए गए।",
        "hinglish": "↩️ Order #{order_id} ke {total} refund ho gaye.",
    },
    # promotional (bot.notifications.outbox.PROMOTIONAL): never to a shopper who said STOP
    "notify_cart_reminder": {
        "en": '🛒 Your cart is still waiting for you. Send "cart" to see it, or STOP to get no more reminders.',
        "hi": '🛒 आपका कार्ट अभी भी आपका इंतज़ार कर रहा है। देखने के लिए "कार्ट" भेजिए, या ऐसे मैसेज न चाहें तो "मैसेज मत भेजो"।',
        "hinglish": '🛒 Aapka cart abhi bhi wait kar raha hai. Dekhne ke liye "cart" bhejo, ya reminders nahi chahiye to "band karo".',
    },
    # privacy (bot.privacy; the words: bot.parsing.privacy)
    "privacy_opted_out": {
        "en": "Done: you'll get no more messages from us, only our replies when you write and the updates of an order you place. Send START to get them again.",
        "hi": 'ठीक है: अब आपको हमारे मैसेज नहीं आएँगे, सिर्फ़ आपके मैसेज के जवाब और आपके ऑर्डर की जानकारी। फिर से पाने के लिए "शुरू करो" भेजिए।',
        "hinglish": "Theek hai: ab aapko humare messages nahi aayenge, sirf aapke messages ke jawab aur aapke order ke updates. Phir se chahiye to START bhejo.",
    },
    "privacy_opted_in": {
        "en": "Welcome back! You'll get our messages again. Send STOP any time to stop them.",
        "hi": 'फिर से स्वागत है! अब आपको हमारे मैसेज फिर से मिलेंगे। कभी भी बंद करने के लिए "मैसेज मत भेजो" भेजिए।',
        "hinglish": "Welcome back! Ab aapko humare messages phir se milenge. Kabhi bhi band karne ke liye STOP bhejo.",
    },
    "privacy_erase_confirm": {
        "en": "Delete your data? We'll erase your name, addresses, cart and our chats with you. Your past orders stay in the shop's accounts without your number. This can't be undone.",
        "hi": "आपका डेटा मिटा दें? हम आपका नाम, पते, कार्ट और आपसे हुई बातचीत मिटा देंगे। पुराने ऑर्डर दुकान के हिसाब में आपके नंबर के बिना रहेंगे। यह वापस नहीं हो सकता।",
        "hinglish": "Aapka data delete karein? Hum aapka naam, address, cart aur aapse hui baatein mita denge. Purane orders shop ke hisaab mein aapke number ke bina rahenge. Yeh wapas nahi hoga.",
    },
    "privacy_erase_yes": {"en": "Yes, delete", "hi": "हाँ, मिटा दें", "hinglish": "Haan, delete karo"},
    "privacy_erase_no": {"en": "No, keep it", "hi": "नहीं, रहने दें", "hinglish": "Nahi, rehne do"},
    "privacy_erased": {
        "en": "Your data is deleted. If you write to us again, we'll start afresh.",
        "hi": "आपका डेटा मिटा दिया गया है। आप फिर से मैसेज करेंगे तो हम नए सिरे से शुरू करेंगे।",
        "hinglish": "Aapka data delete ho gaya. Phir se message karoge to hum naye sire se shuru karenge.",
    },
    "privacy_erase_kept": {
        "en": "OK, nothing was deleted.",
        "hi": "ठीक है, कुछ नहीं मिटाया गया।",
        "hinglish": "Theek hai, kuch delete nahi kiya.",
    },
    "privacy_erase_order_open": {
        "en": 'Your order #{order_id} is still on its way, and we need your number and address to deliver it. Once it\'s delivered or cancelled, send "delete my data" again.',
        "hi": 'आपका ऑर्डर #{order_id} अभी रास्ते में है, उसे पहुँचाने के लिए आपका नंबर और पता चाहिए। डिलीवर या रद्द होने के बाद फिर से "मेरा डेटा मिटा दो" भेजिए।',
        "hinglish": 'Aapka order #{order_id} abhi raaste mein hai, deliver karne ke liye aapka number aur address chahiye. Deliver ya cancel hone ke baad phir se "mera data delete karo" bhejo.',
    },
}

# What each intent means, for "did you mean …?" buttons.
INTENT_MEANINGS: dict[str, dict[str, str]] = {
    "add_items": {"en": "Add to cart", "hi": "कार्ट में जोड़ें", "hinglish": "Cart mein daalo"},
    "remove_items": {"en": "Remove an item", "hi": "सामान हटाएँ", "hinglish": "Item hatao"},
    "update_quantity": {"en": "Change a quantity", "hi": "मात्रा बदलें", "hinglish": "Quantity badlo"},
    "view_cart": {"en": "Show my cart", "hi": "कार्ट दिखाएँ", "hinglish": "Cart dikhao"},
    "clear_cart": {"en": "Empty my cart", "hi": "कार्ट खाली करें", "hinglish": "Cart khaali karo"},
    "checkout": {"en": "Place the order", "hi": "ऑर्डर करें", "hinglish": "Order karo"},
    "order_status": {"en": "Where is my order", "hi": "ऑर्डर कहाँ है", "hinglish": "Order kahan hai"},
    "cancel_order": {"en": "Cancel my order", "hi": "ऑर्डर रद्द करें", "hinglish": "Order cancel karo"},
    "reorder": {
        "en": "Repeat last order",
        "hi": "पिछला ऑर्डर दोबारा",
        "hinglish": "Pichla order dobara",
    },
    "ask_price": {"en": "Ask a price", "hi": "दाम पूछें", "hinglish": "Rate poocho"},
    "browse_catalog": {"en": "See products", "hi": "सामान देखें", "hinglish": "Products dekho"},
    "help": {"en": "Help", "hi": "मदद", "hinglish": "Help"},
    "human_handoff": {"en": "Talk to the shop", "hi": "दुकान से बात", "hinglish": "Shop se baat"},
    "change_language": {"en": "Change language", "hi": "भाषा बदलें", "hinglish": "Language badlo"},
    "greet": {"en": "Say hello", "hi": "नमस्ते", "hinglish": "Namaste"},
    "goodbye": {"en": "Goodbye", "hi": "अलविदा", "hinglish": "Bye"},
}
